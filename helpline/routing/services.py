"""Every write of routing: teams and the issue types they own, agents' profiles, weekly shifts,
leave and status, and the daily mail of on-call gaps to admins.

Each action is one function: keyword-only arguments, ``now`` passed in, one transaction,
checks before writes. ``actor`` is the person acting (admins write; an agent may set their own
status); ``None`` is the operator at the machine (``helpline shifts import``). There is no audit
table in the house for settings: each change is logged (``helpline.routing`` logger) with who
made it (decision 0115).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction

from helpline.accounts import access
from helpline.accounts import selectors as accounts_selectors
from helpline.accounts import services as accounts
from helpline.accounts.models import Team, User
from helpline.core.errors import Conflict, Forbidden, InvalidInput
from helpline.core.zones import zone_or_default
from helpline.outbox import services as outbox
from helpline.routing import assignment, coverage, selectors, validation
from helpline.routing.models import AgentProfile, AgentStatus, Leave, Shift, TeamRoute
from helpline.routing.validation import ShiftSpec

log = logging.getLogger(__name__)


def _admin(actor: User | None, what: str) -> None:
    if actor is not None and not access.is_admin(actor):
        raise Forbidden(f"only administrators {what}")


def _staff(user: User, field: str = "user") -> None:
    if not access.is_staff(user):
        raise InvalidInput(f"{field}: {user.email} is not an active member of staff", field=field)


# ------------------------------------------------------------------------------------ teams


def _routes_set(*, team: Team, issue_types: list[str], default: bool) -> None:
    """``team`` owns exactly ``issue_types`` (and the rest when ``default``); another team's
    issue type is refused, never taken silently."""
    codes = validation.skills(issue_types, field="issue_types")
    owners = selectors.route_owners([*codes, ""])
    for code in codes:
        if owners.get(code, team.pk) != team.pk:
            raise Conflict(
                f"issue_types: {code!r} belongs to another team (id {owners[code]}); take it "
                "from that team first",
                code="issue_type_owned",
                field="issue_types",
            )
    was_default = owners.get("") == team.pk
    if was_default and not default:
        raise InvalidInput(
            "default: a default team catches the issue types no team owns; make another team "
            "the default instead",
            code="default_team_required",
            field="default",
        )
    TeamRoute.objects.filter(team=team).exclude(issue_type="").exclude(
        issue_type__in=codes
    ).delete()
    for code in codes:
        TeamRoute.objects.get_or_create(issue_type=code, defaults={"team": team})
    if default and not was_default:
        TeamRoute.objects.update_or_create(issue_type="", defaults={"team": team})


def _members(member_ids: Sequence[int]) -> list[User]:
    return [accounts_selectors.staff_member(i, field="members") for i in dict.fromkeys(member_ids)]


@dataclass(frozen=True)
class TeamFields:
    """What a team is: its name, lead, members and the issue types it owns (``default``: and
    every issue type no team owns)."""

    name: str
    lead_id: int | None
    member_ids: Sequence[int]
    issue_types: Sequence[str]
    default: bool

    def people(self) -> tuple[User | None, list[User]]:
        lead = accounts_selectors.staff_member(self.lead_id, field="lead") if self.lead_id else None
        return lead, _members(self.member_ids)


def team_create(*, actor: User | None, fields: TeamFields, now: datetime) -> Team:
    """A new team with its lead, members and the issue types it owns."""
    _admin(actor, "create teams")
    lead, members = fields.people()
    with transaction.atomic():
        team = accounts.team_create(name=fields.name, lead=lead, members=members)
        _routes_set(team=team, issue_types=list(fields.issue_types), default=fields.default)
    log.info("team %s created by %s at %s", team.pk, actor, now.isoformat())
    return team


def team_update(*, actor: User | None, team: Team, fields: TeamFields, now: datetime) -> Team:
    """A team's name, lead, members and issue types, all replaced."""
    _admin(actor, "change teams")
    lead, members = fields.people()
    with transaction.atomic():
        accounts.team_update(team=team, name=fields.name, lead=lead, members=members)
        _routes_set(team=team, issue_types=list(fields.issue_types), default=fields.default)
    log.info("team %s changed by %s at %s", team.pk, actor, now.isoformat())
    return team


# ---------------------------------------------------------------------------------- agents


def agent_profile_update(
    *,
    actor: User | None,
    user: User,
    skills: Sequence[str],
    languages: Sequence[str],
    capacity: int,
    now: datetime,
) -> AgentProfile:
    """An agent's skills (issue type codes), languages and capacity; the profile is created
    the first time (the agent then counts for automatic assignment)."""
    _admin(actor, "change an agent's profile")
    _staff(user)
    checked_skills = validation.skills(skills)
    checked_languages = validation.languages(languages)
    if not 0 <= capacity <= 1000:
        raise InvalidInput("capacity: between 0 and 1000 (weighted open load)", field="capacity")
    with transaction.atomic():
        profile, _ = AgentProfile.objects.select_for_update().get_or_create(user=user)
        profile.skills, profile.languages = checked_skills, checked_languages
        profile.capacity = capacity
        profile.save(update_fields=["skills", "languages", "capacity"])
    log.info("profile of %s changed by %s at %s", user.pk, actor, now.isoformat())
    return profile


def on_status_changed(*, profile: AgentProfile, before: str, now: datetime) -> None:
    """Going away moves the agent's work (POLICY.md: their C1 and C2 at once, C3 and C4 when a
    deadline would fall before their next shift — ``assignment.reroute_absent``)."""
    if profile.status == AgentStatus.AWAY and before != AgentStatus.AWAY:
        user = profile.user
        assignment.reroute_absent(user=user, now=now, why=f"{user} is away")


def agent_status_set(*, actor: User, user: User, status: str, now: datetime) -> AgentProfile:
    """``user`` is available or away, said by themself or an admin; the same status again
    changes nothing. Runs ``on_status_changed`` in the same transaction."""
    if actor.pk != user.pk and not access.is_admin(actor):
        raise Forbidden("an agent sets their own status; admins anyone's")
    _staff(user)
    if status not in AgentStatus.values:
        raise InvalidInput(
            f"status: {status!r} is not one of {', '.join(AgentStatus.values)}", field="status"
        )
    with transaction.atomic():
        profile, _ = AgentProfile.objects.select_for_update().get_or_create(user=user)
        before = profile.status
        if before == status:
            return profile
        profile.status, profile.status_changed_at = status, now
        profile.save(update_fields=["status", "status_changed_at"])
        on_status_changed(profile=profile, before=before, now=now)
    log.info("%s is %s (set by %s)", user.pk, status, actor.pk)
    return profile


def _shifts_write(user: User, specs: list[ShiftSpec]) -> list[Shift]:
    Shift.objects.filter(user=user).delete()
    return Shift.objects.bulk_create(
        Shift(user=user, weekday=s.weekday, start=s.start, end=s.end) for s in specs
    )


def agent_shifts_replace(
    *, actor: User | None, user: User, shifts: Sequence[ShiftSpec], now: datetime
) -> list[Shift]:
    """``user``'s whole week of shifts replaced by ``shifts`` (local times in their zone)."""
    _admin(actor, "change shifts")
    _staff(user)
    specs = validation.week(shifts)
    with transaction.atomic():
        rows = _shifts_write(user, specs)
    log.info("shifts of %s replaced by %s at %s", user.pk, actor, now.isoformat())
    return rows


def shifts_import(
    *, actor: User | None, weeks: dict[str, list[ShiftSpec]], now: datetime
) -> dict[str, int]:
    """Several agents' weeks at once (``helpline shifts import``), by address: every week is
    checked first, then all are written in one transaction, or none. Shifts per address."""
    _admin(actor, "import shifts")
    people = accounts_selectors.staff_by_email(weeks)
    checked = {}
    for email, specs in weeks.items():
        if email.lower() not in people:
            where = specs[0].label if specs and specs[0].label else email
            raise InvalidInput(f"{where}: no active member of staff has the address {email}")
        checked[email.lower()] = validation.week(specs, field=email)
    with transaction.atomic():
        for email, specs in checked.items():
            _shifts_write(people[email], specs)
    log.info("shifts of %d agents imported by %s at %s", len(checked), actor, now.isoformat())
    return {email: len(specs) for email, specs in checked.items()}


def agent_leave_add(
    *,
    actor: User | None,
    user: User,
    starts_on: date,
    ends_on: date,
    note: str = "",
    now: datetime,
) -> Leave:
    """Whole days of leave, inclusive, in the agent's zone; overlapping leave is refused."""
    _admin(actor, "record leave")
    _staff(user)
    validation.leave_span(starts_on, ends_on)
    with transaction.atomic():
        clash = selectors.overlapping_leave(user, starts_on, ends_on)
        if clash is not None:
            raise Conflict(
                f"starts_on: overlaps the leave {clash.starts_on} to {clash.ends_on} "
                f"(id {clash.pk}); change that one instead",
                code="leave_overlaps",
                field="starts_on",
            )
        leave = Leave.objects.create(user=user, starts_on=starts_on, ends_on=ends_on, note=note)
        # Leave that has begun moves the agent's work at once (``assignment.leave_sweep``
        # moves it when a later one begins).
        today = now.astimezone(zone_or_default(user.time_zone)).date()
        if starts_on <= today <= ends_on:
            assignment.reroute_absent(user=user, now=now, why=f"{user} is on leave")
    log.info("leave %s of %s added by %s at %s", leave.pk, user.pk, actor, now.isoformat())
    return leave


def agent_leave_delete(*, actor: User | None, user: User, leave_id: int, now: datetime) -> None:
    _admin(actor, "remove leave")
    with transaction.atomic():
        selectors.leave_entry(user, leave_id).delete()
    log.info("leave %s of %s removed by %s at %s", leave_id, user.pk, actor, now.isoformat())


# ------------------------------------------------------------------------- on-call gaps


def _gap_lines(gaps: list[coverage.Gap], user: User) -> list[str]:
    zone = zone_or_default(user.time_zone)
    return [
        f"- {g.starts_at.astimezone(zone):%a %d %b %H:%M} to "
        f"{g.ends_at.astimezone(zone):%a %d %b %H:%M} ({zone.key})"
        for g in gaps
    ]


def on_call_gaps_mail(*, now: datetime) -> int:
    """Mail every admin the gaps of the next 7 days in the on-call rota, once a day (the
    idempotency key is the day, in the deployment's zone): how many mails were written."""
    gaps = coverage.on_call_gaps(now=now)
    if not gaps:
        return 0
    day = now.astimezone(zone_or_default(settings.TIME_ZONE_DISPLAY)).date()
    sent = 0
    for admin in accounts_selectors.admins():
        body = "\n".join(
            [
                "Nobody is on call at these times outside business hours in the next 7 days:",
                "",
                *_gap_lines(gaps, admin),
                "",
                f"Add on-call shifts or overrides in the admin: {settings.BASE_URL}/admin/",
            ]
        )
        outbox.email_enqueue(
            recipient=admin.email,
            subject=f"On-call rota: {len(gaps)} gap(s) in the next 7 days",
            body=body,
            kind="on_call_gaps",
            idempotency_key=f"on-call-gaps:{day.isoformat()}:{admin.pk}",
            now=now,
        )
        sent += 1
    return sent
