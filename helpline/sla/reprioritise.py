"""Re-prioritising never buys time: the new deadline of one target, pure (docs/policy.md,
"Clocks on a ticket", and decision 0090).

A target is described on its *own timeline*: it started at ``origin`` (the ticket's creation, or
the C1 workaround for the C2 resolution that follows it) and every deadline it has is a
*budget* — business time on its calendar after ``origin``, net of the ticket's pauses. A budget
does not move when the ticket waits on the merchant (the pause does not count), so deadlines had
earlier in the ticket's life stay comparable after any number of pauses.

For a change at ``at`` to a target of ``minutes`` on ``calendar``:

- **raised** (shorter): the earlier of the old deadline and ``at`` + the new target; a target
  already breached starts afresh at ``at`` (the breach stays on record, on the old row);
- **lowered** (longer, or as long on another calendar): ``minutes`` after ``origin``, net of
  pauses — exactly as if it had been filed so; passed already, it is breached at that instant;
- then **never later** than any deadline the target had before under a target at least as long
  of the same priority or a lower one (``had``: the smallest budget per (priority, minutes)). A
  fresh start after a breach forgets the deadlines that had passed by then (they are breaches on
  record, not promises).

While the ticket is paused the comparison is made as if it resumed at the change instant
(consumed time counts; the row stays paused and keeps no deadline). No Django, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from helpline.sla.business_time import BusinessCalendar, elapsed, lay_out

Closed = tuple[datetime, datetime]
TargetKey = tuple[str, int]  # (priority, minutes)

RAISED = "raised"
LOWERED = "lowered"
RESTARTED = "restarted"  # raised, but the target had breached: it starts afresh


@dataclass(frozen=True)
class Target:
    priority: str
    minutes: int
    calendar: str

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    @property
    def key(self) -> TargetKey:
        return (self.priority, self.minutes)


@dataclass(frozen=True)
class Track:
    """One target of one ticket, as the re-prioritising rules see it."""

    target: Target
    origin: datetime
    pauses: tuple[Closed, ...]  # closed pauses since origin
    paused_since: datetime | None
    budget: timedelta
    breached_at: datetime | None
    had: Mapping[TargetKey, timedelta] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    rule: str  # RAISED, LOWERED or RESTARTED
    budget: timedelta
    deadline: datetime  # as if running from the change instant (paused: as if resumed at it)
    breached_at: datetime | None  # the deadline, when it had passed at the change
    used: timedelta  # business time used on the new calendar at the change (net of pauses)
    had: dict[TargetKey, timedelta]


def pauses_at(track: Track, at: datetime) -> list[Closed]:
    """The track's pauses, the open one (if any) closed at ``at``."""
    spans = list(track.pauses)
    if track.paused_since is not None:
        spans.append((track.paused_since, max(at, track.paused_since)))
    return spans


def _closed_lay_out(
    cal: BusinessCalendar, origin: datetime, budget: timedelta, spans: list[Closed]
) -> datetime:
    """``lay_out`` with every pause closed: always an instant."""
    found = lay_out(cal, origin, budget, spans)
    if found is None:  # pragma: no cover - only an open pause gives None
        raise ValueError("a pause is still open")
    return found


def retarget(
    track: Track,
    new: Target,
    *,
    at: datetime,
    rank: Callable[[str], int],
    calendar_of: Callable[[str], BusinessCalendar],
    priority_calendar: Callable[[str], str],
) -> Outcome | None:
    """The new budget of ``track`` under ``new`` at ``at`` (None: the same target, nothing moves).

    ``calendar_of(slug)`` is the arithmetic calendar; ``priority_calendar(priority)`` the slug of
    the calendar this kind of target has under that priority (overrides keep it)."""
    old = track.target
    if (new.minutes, new.calendar) == (old.minutes, old.calendar):
        return None
    origin, spans = track.origin, pauses_at(track, at)
    cal = calendar_of(new.calendar)

    def instant(slug: str, budget: timedelta) -> datetime:
        return _closed_lay_out(calendar_of(slug), origin, budget, spans)

    def used(until: datetime) -> timedelta:
        return elapsed(cal, origin, until, spans)

    used_now = used(at)
    had = dict(track.had)
    if new.minutes < old.minutes and track.breached_at is not None:
        rule, budget = RESTARTED, used_now + new.length
        had = {k: b for k, b in had.items() if instant(priority_calendar(k[0]), b) > at}
    elif new.minutes < old.minutes:
        old_deadline = instant(old.calendar, track.budget)
        rule, budget = RAISED, min(used_now + new.length, used(old_deadline))
    else:
        rule, budget = LOWERED, new.length
    for (priority, minutes), earlier in had.items():
        if rank(priority) >= rank(new.priority) and minutes >= new.minutes:
            budget = min(budget, used(instant(priority_calendar(priority), earlier)))
    deadline = _closed_lay_out(cal, origin, budget, spans)
    had[new.key] = min(had.get(new.key, budget), budget)
    breached = deadline if budget <= used_now else None
    return Outcome(rule, budget, deadline, breached, used_now, had)
