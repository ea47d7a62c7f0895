"""Every read of routing: teams' issue types, profiles, shifts and leave (their admin and
API), the on-call rota's gaps; and for assignment the team of an issue type, the candidates for
a ticket (profiles, shifts and leave of a team in one query), who is on call, an agent's time
for "next shift"."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache, partial
from typing import Any

from django.db.models import Exists, FilteredRelation, OuterRef, Q, TextField
from django.db.models.functions import Cast

from helpline.accounts import selectors as accounts_selectors
from helpline.accounts.models import Team, User
from helpline.core.errors import NotFound
from helpline.core.prepared import Prepared
from helpline.core.validation import id_in_range
from helpline.core.zones import zone_or_default
from helpline.outbox import selectors as outbox
from helpline.routing import coverage
from helpline.routing.decide import WEIGHTS, Candidate
from helpline.routing.models import AgentProfile, AgentStatus, Leave, Shift, TeamRoute
from helpline.routing.shifts import Days, Span, covers
from helpline.tickets import selectors as ticket_selectors


def routes_by_team() -> dict[int, list[str]]:
    """Each team's issue type codes ("" for the default team's catch-all row)."""
    out: dict[int, list[str]] = {}
    for team_id, issue_type in TeamRoute.objects.order_by("issue_type").values_list(
        "team_id", "issue_type"
    ):
        out.setdefault(team_id, []).append(issue_type)
    return out


def routed_teams() -> list[int]:
    """The teams that own an issue type (or the rest), each once, by id."""
    return sorted(set(TeamRoute.objects.values_list("team_id", flat=True)))


def route_owners(issue_types: list[str]) -> dict[str, int]:
    """The team that owns each of ``issue_types`` now ("" = the default team), by code."""
    rows = TeamRoute.objects.filter(issue_type__in=issue_types)
    return dict(rows.values_list("issue_type", "team_id"))


def profile_of(user: User) -> AgentProfile:
    """``user``'s routing profile; the defaults (unsaved) if they have none yet."""
    profile = AgentProfile.objects.filter(user=user).first()
    return profile or AgentProfile(user=user)


def has_profile(user: User) -> bool:
    return AgentProfile.objects.filter(user=user).exists()


def shifts_of(user: User) -> list[Shift]:
    """``user``'s weekly shifts, Monday first."""
    return list(Shift.objects.filter(user=user).order_by("weekday", "start"))


def leave_of(user: User, *, since: date | None = None) -> list[Leave]:
    """``user``'s leave, latest first (ending on or after ``since`` when given)."""
    rows = Leave.objects.filter(user=user)
    if since is not None:
        rows = rows.filter(ends_on__gte=since)
    return list(rows.order_by("-starts_on"))


def leave_entry(user: User, leave_id: int) -> Leave:
    if not id_in_range(leave_id):
        raise NotFound("leave not found")
    leave = Leave.objects.filter(user=user, pk=leave_id).first()
    if leave is None:
        raise NotFound("leave not found")
    return leave


def overlapping_leave(user: User, starts_on: date, ends_on: date) -> Leave | None:
    return (
        Leave.objects.filter(user=user, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )


def on_call_gaps(*, now: datetime) -> list[coverage.Gap]:
    """The gaps in the on-call rota in the next 7 days (POLICY.md: shown to admins)."""
    return coverage.on_call_gaps(now=now)


@dataclass(frozen=True)
class TeamView:
    """A team as routing shows it: its people and the issue types it owns."""

    id: int
    name: str
    lead: int | None
    members: list[int]
    issue_types: list[str]
    default: bool


def team_views(teams: list[Team] | None = None) -> list[TeamView]:
    """Every team (or ``teams``) with its members and issue types, by name."""
    routes = routes_by_team()
    out = []
    for team in teams if teams is not None else accounts_selectors.teams():
        codes = routes.get(team.pk, [])
        out.append(
            TeamView(
                id=team.pk,
                name=team.name,
                lead=team.lead_id,
                members=sorted(u.pk for u in team.members.all()),
                issue_types=[c for c in codes if c],
                default="" in codes,
            )
        )
    return out


_PROFILE = "user__agent_profile__"


def team_for(issue_type: str) -> int | None:
    """The team that owns ``issue_type``: its route, else the default team's (None: neither)."""
    rows = TeamRoute.objects.filter(issue_type__in=[issue_type, ""]).values_list(
        "issue_type", "team_id"
    )
    found = dict(rows)
    return found.get(issue_type, found.get(""))


def _leave_on(day: Any) -> Exists:
    return Exists(
        Leave.objects.filter(user=OuterRef("user_id"), starts_on__lte=day, ends_on__gte=day)
    )


def _near_days(at: datetime) -> list[Any]:
    """The local dates ``at`` can fall on in any zone: the UTC date and the days either side."""
    today = at.date()
    return [today - timedelta(days=1), today, today + timedelta(days=1)]


def _weekdays_from(first: int) -> list[int]:
    """The weekdays of the shifts that may cover an instant whose local date is one of the
    three days from weekday ``first`` (``_near_days``): those days' own, and the day before
    (a shift past midnight)."""
    return sorted({(first - 1 + k) % 7 for k in range(4)})


# The agent's open tickets by priority, the row the database keeps (decision 0184): a LEFT
# JOIN by primary key, so the candidates and their loads are one read.
_LOAD = tuple(f"user__open_load__{c}" for c in ticket_selectors.LOAD_COUNTS)
_FIELDS = (
    "user_id",
    "user__time_zone",
    _PROFILE + "capacity",
    _PROFILE + "status",
    _PROFILE + "last_assigned_at",
)


def _near_leave(first: date, last: date) -> FilteredRelation:
    """The agent's leave that touches ``[first, last]``, as a LEFT JOIN (no subquery a row)."""
    return FilteredRelation(
        "user__leave",
        condition=Q(user__leave__starts_on__lte=last, user__leave__ends_on__gte=first),
    )


def _team_rows_query(team_id: int, first: date, last: date, *, weekdays: list[int]) -> Any:
    return (
        Shift.objects.filter(
            user__teams=team_id,
            user__is_active=True,
            user__agent_profile__isnull=False,
            weekday__in=weekdays,
        )
        .annotate(
            near_leave=_near_leave(first, last),
            skills_text=Cast(_PROFILE + "skills", TextField()),
            languages_text=Cast(_PROFILE + "languages", TextField()),
        )
        .values_list(
            *_FIELDS,
            "skills_text",
            "languages_text",
            "weekday",
            "start",
            "end",
            "near_leave__starts_on",
            "near_leave__ends_on",
            *_LOAD,
        )
        .order_by("user_id")
    )


# A row per (shift that may cover the instant, leave touching its dates); the profile's JSON
# lists as their text, decoded once per distinct value (``_codes``), not once per row. One
# compiled read per weekday of the first near date: the weekdays are constants of its SQL
# (Django drops an out-of-range sample from a small integer's IN on PostgreSQL).
_team_rows: dict[int, Prepared[tuple[Any, ...]]] = {
    first_weekday: Prepared(
        partial(_team_rows_query, weekdays=_weekdays_from(first_weekday)),
        team_id=int,
        first=date,
        last=date,
    )
    for first_weekday in range(7)
}


@lru_cache(maxsize=1024)
def _codes(text: str | None) -> frozenset[str]:
    return frozenset(json.loads(text)) if text else frozenset()


def _load(counts: tuple[Any, ...]) -> int:
    """The weighted open load of an agent's ``OpenLoad`` columns (all None: no row, none)."""
    return ticket_selectors.weighed([n or 0 for n in counts], WEIGHTS)


def team_candidates(
    team_id: int | None, at: datetime, *, exclude: Collection[int] = ()
) -> list[Candidate]:
    """The active members of the team with a profile and a shift that may cover ``at`` (its
    weekday near ``at``'s dates), each with those shifts and their leave touching those dates:
    one query compiled once per process, a row per (shift, leave) — the leave LEFT JOINed,
    never a subquery per row (decision 0133) — and each one's weighted open load, JOINed from
    the row the database keeps (decision 0184). ``Candidate.shifts`` holds only those shifts:
    enough to say whether the agent is on shift at ``at``, nothing more."""
    if team_id is None:
        return []
    days = _near_days(at)
    rows = _team_rows[days[0].weekday()](team_id=team_id, first=days[0], last=days[-1])
    skip = set(exclude)
    by_user: dict[int, tuple[Any, ...]] = {}
    spans: dict[int, set[Span]] = {}
    leave: dict[int, set[Days]] = {}
    for row in rows:
        user_id = row[0]
        if user_id in skip:
            continue
        by_user.setdefault(user_id, row)
        spans.setdefault(user_id, set()).add(Span(row[7], row[8], row[9]))
        away = leave.setdefault(user_id, set())
        if row[10] is not None:
            away.add(Days(row[10], row[11]))
    return [
        Candidate(
            user_id=user_id,
            zone=zone_or_default(row[1]),
            skills=_codes(row[5]),
            languages=_codes(row[6]),
            capacity=row[2],
            available=row[3] == AgentStatus.AVAILABLE,
            shifts=tuple(spans[user_id]),
            leave=tuple(leave[user_id]),
            last_assigned_at=row[4],
            load=_load(row[12:17]),
        )
        for user_id, row in by_user.items()
    ]


def _on_call_candidate(row: dict[str, Any], days: list[Any]) -> Candidate:
    """Someone on call with a profile (``on_call_candidates``' row): no shifts asked."""
    return Candidate(
        user_id=row["user_id"],
        zone=zone_or_default(row["user__time_zone"]),
        skills=frozenset(row["skills"] or ()),
        languages=frozenset(row["languages"] or ()),
        capacity=row["capacity"],
        available=row["status"] == AgentStatus.AVAILABLE,
        leave=tuple(Days(d, d) for i, d in enumerate(days) if row[f"leave{i}"]),
        last_assigned_at=row["last_assigned_at"],
        in_team=False,
        on_call=True,
        load=_load(tuple(row[f] for f in _LOAD)),
    )


_BARE = ("skills", "languages", "capacity", "status", "last_assigned_at")


def on_call_candidates(
    user_ids: Collection[int], at: datetime, *, exclude: Collection[int] = ()
) -> list[Candidate]:
    """The people on call, as candidates: their profile's status and leave if they have one
    (someone on call without a profile is available, with no capacity asked)."""
    ids = sorted(set(user_ids) - set(exclude))
    if not ids:
        return []
    days = _near_days(at)
    rows = (
        AgentProfile.objects.filter(user_id__in=ids, user__is_active=True)
        .annotate(**{f"leave{i}": _leave_on(d) for i, d in enumerate(days)})
        .values("user_id", "user__time_zone", *_BARE, "leave0", "leave1", "leave2", *_LOAD)
    )
    found = {row["user_id"]: row for row in rows}
    return [
        _on_call_candidate(found[user_id], days)
        if user_id in found
        else Candidate(user_id=user_id, zone=zone_or_default(None), in_team=False, on_call=True)
        for user_id in ids
    ]


def on_call_at(at: datetime) -> list[User]:
    """Who is on call at ``at``: the overrides covering it, else the weekly rota's shifts
    (each in its own zone); active people not on leave that day (their local date; decision
    0136: their slot is a gap, the page goes one level up), each once."""
    people = [o.user for o in outbox.on_call_overrides(at)]
    if not people:
        people = [
            s.user
            for s in outbox.on_call_shifts()
            if covers(Span(s.weekday, s.start, s.end), zone_or_default(s.zone), at)
        ]
    seen: set[int] = set()
    out = []
    for user in people:
        if user.is_active and user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    away = _on_leave_at([u.pk for u in out], at) if out else set()
    return [u for u in out if u.pk not in away]


def _on_leave_at(user_ids: list[int], at: datetime) -> set[int]:
    """Which of ``user_ids`` are on leave at ``at`` (their local date)."""
    rows = Leave.objects.filter(
        user_id__in=user_ids,
        starts_on__lte=at.date() + timedelta(days=1),
        ends_on__gte=at.date() - timedelta(days=1),
    ).values_list("user_id", "user__time_zone", "starts_on", "ends_on")
    return {
        user_id
        for user_id, zone, starts_on, ends_on in rows
        if starts_on <= at.astimezone(zone_or_default(zone)).date() <= ends_on
    }


def profile_or_none(user_id: int) -> AgentProfile | None:
    return AgentProfile.objects.filter(user_id=user_id).first()


def time_of(user: User) -> tuple[list[Span], list[Days]]:
    """An agent's weekly shifts and their leave from today on (for "next shift")."""
    spans = [Span(s.weekday, s.start, s.end) for s in Shift.objects.filter(user_id=user.pk)]
    leave = [
        Days(row.starts_on, row.ends_on)
        for row in Leave.objects.filter(user_id=user.pk).order_by("starts_on")
    ]
    return spans, leave


def on_leave_with_tickets(at: datetime) -> list[User]:
    """Active agents whose leave covers ``at`` (their local date)."""
    rows = Leave.objects.filter(
        starts_on__lte=at.date() + timedelta(days=1),
        ends_on__gte=at.date() - timedelta(days=1),
        user__is_active=True,
    ).select_related("user")
    found = {}
    for row in rows:
        local = at.astimezone(zone_or_default(row.user.time_zone)).date()
        if row.starts_on <= local <= row.ends_on:
            found[row.user_id] = row.user
    return list(found.values())
