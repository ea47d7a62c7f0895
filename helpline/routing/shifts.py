"""When a weekly span covers an instant, and when an agent's next shift starts — pure
functions of the rows' values (no database), shared by routing's decision and the on-call rota.

A span is (weekday, start, end) in local times of a zone; an end at or before the start runs
past midnight into the next day (so start == end is a whole day). Leave is whole local days,
inclusive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far ahead "the next shift" is looked for (a year of leave is the longest honest gap).
HORIZON_DAYS = 400


@dataclass(frozen=True)
class Span:
    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Days:
    starts_on: date
    ends_on: date


def covers(span: Span, zone: ZoneInfo, at: datetime) -> bool:
    """Whether ``span`` (local times in ``zone``) covers the instant ``at``."""
    local = at.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    if span.start < span.end:
        return local.weekday() == span.weekday and span.start <= t < span.end
    # Runs past midnight: the evening of its weekday, or the small hours of the next day.
    if local.weekday() == span.weekday and t >= span.start:
        return True
    return local.weekday() == (span.weekday + 1) % 7 and t < span.end


def on_shift(spans: Iterable[Span], zone: ZoneInfo, at: datetime) -> bool:
    return any(covers(span, zone, at) for span in spans)


def on_leave(leave: Iterable[Days], zone: ZoneInfo, at: datetime) -> bool:
    """Whether ``at`` falls on a leave day (the agent's local date)."""
    today = at.astimezone(zone).date()
    return any(d.starts_on <= today <= d.ends_on for d in leave)


def _on_leave_on(leave: Iterable[Days], day: date) -> bool:
    return any(d.starts_on <= day <= d.ends_on for d in leave)


def next_shift_start(
    spans: Iterable[Span], leave: Iterable[Days], zone: ZoneInfo, after: datetime
) -> datetime | None:
    """The first instant after ``after`` at which one of the agent's shifts starts on a day
    that is not a leave day (local dates), or None if none starts within the horizon. A shift
    running now does not count: this is when they are next back."""
    spans = list(spans)
    leave = list(leave)
    if not spans:
        return None
    local_today = after.astimezone(zone).date()
    for offset in range(HORIZON_DAYS):
        day = local_today + timedelta(days=offset)
        if _on_leave_on(leave, day):
            continue
        starts = sorted(
            datetime.combine(day, span.start, tzinfo=zone)
            for span in spans
            if span.weekday == day.weekday()
        )
        for start in starts:
            if start > after:
                return start
    return None
