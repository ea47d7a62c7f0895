"""Every read of routing: the team of an issue type, the candidates for a ticket (profiles,
shifts and leave of a team in one query), who is on call, an agent's time for "next shift"."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef

from helpline.accounts.models import User
from helpline.core.zones import zone_or_default
from helpline.outbox import selectors as outbox
from helpline.routing.decide import Candidate
from helpline.routing.models import AgentProfile, AgentStatus, Leave, Shift, TeamRoute
from helpline.routing.shifts import Days, Span, covers

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


def _candidate(
    row: dict[str, Any], days: list[Any], spans: list[Span], *, prefix: str, in_team: bool
) -> Candidate:
    return Candidate(
        user_id=row["user_id"],
        zone=zone_or_default(row["user__time_zone"]),
        skills=frozenset(row[prefix + "skills"] or ()),
        languages=frozenset(row[prefix + "languages"] or ()),
        capacity=row[prefix + "capacity"],
        available=row[prefix + "status"] == AgentStatus.AVAILABLE,
        shifts=tuple(spans),
        leave=tuple(Days(d, d) for i, d in enumerate(days) if row[f"leave{i}"]),
        last_assigned_at=row[prefix + "last_assigned_at"],
        in_team=in_team,
        on_call=not in_team,
    )


_FIELDS = (
    "user_id",
    "user__time_zone",
    _PROFILE + "skills",
    _PROFILE + "languages",
    _PROFILE + "capacity",
    _PROFILE + "status",
    _PROFILE + "last_assigned_at",
)


def team_candidates(
    team_id: int | None, at: datetime, *, exclude: Collection[int] = ()
) -> list[Candidate]:
    """The active members of the team with a profile and shifts, each with their shifts and
    whether ``at`` falls on their leave: one query (a row per shift, leave as three EXISTS)."""
    if team_id is None:
        return []
    days = _near_days(at)
    rows = (
        Shift.objects.filter(
            user__teams=team_id, user__is_active=True, user__agent_profile__isnull=False
        )
        .exclude(user_id__in=sorted(exclude))
        .annotate(**{f"leave{i}": _leave_on(d) for i, d in enumerate(days)})
        .values(*_FIELDS, "weekday", "start", "end", "leave0", "leave1", "leave2")
        .order_by("user_id")
    )
    spans: dict[int, list[Span]] = {}
    first: dict[int, dict[str, Any]] = {}
    for row in rows:
        first.setdefault(row["user_id"], row)
        spans.setdefault(row["user_id"], []).append(Span(row["weekday"], row["start"], row["end"]))
    return [
        _candidate(row, days, spans[user_id], prefix=_PROFILE, in_team=True)
        for user_id, row in first.items()
    ]


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
        .values("user_id", "user__time_zone", *_BARE, "leave0", "leave1", "leave2")
    )
    found = {row["user_id"]: row for row in rows}
    return [
        _candidate(found[user_id], days, [], prefix="", in_team=False)
        if user_id in found
        else Candidate(user_id=user_id, zone=zone_or_default(None), in_team=False, on_call=True)
        for user_id in ids
    ]


_BARE = ("skills", "languages", "capacity", "status", "last_assigned_at")


def on_call_at(at: datetime) -> list[User]:
    """Who is on call at ``at``: the overrides covering it, else the weekly rota's shifts
    (each in its own zone); active people, each once."""
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
    return out


def profile_of(user_id: int) -> AgentProfile | None:
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
