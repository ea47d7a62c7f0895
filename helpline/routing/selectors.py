"""Reads of routing: teams' issue types, an agent's profile, shifts and leave, on-call gaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from helpline.accounts import selectors as accounts_selectors
from helpline.accounts.models import Team, User
from helpline.core.errors import NotFound
from helpline.core.validation import id_in_range
from helpline.routing import coverage
from helpline.routing.models import AgentProfile, Leave, Shift, TeamRoute


def routes_by_team() -> dict[int, list[str]]:
    """Each team's issue type codes ("" for the default team's catch-all row)."""
    out: dict[int, list[str]] = {}
    for team_id, issue_type in TeamRoute.objects.order_by("issue_type").values_list(
        "team_id", "issue_type"
    ):
        out.setdefault(team_id, []).append(issue_type)
    return out


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
