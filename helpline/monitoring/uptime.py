"""Uptime arithmetic: pure functions of intervals (docs/policy.md, "Hosting and uptime").

A period is a calendar day, month or year in the merchant's zone. Its budget is 0.2 % of its
full length. Time the monitor was blind is *unknown*: shown, and left out of the measured
length. Uptime % = 1 − downtime ÷ measured length. Time after ``now`` is not measured yet.
Announced maintenance is shown separately and still counts as downtime.

The verdict on the promise is "kept", "broken" or "not known" (``verdict``): broken when the
downtime is over the budget (unknown time cannot mend that); not known when the unknown time is
more than what is left of the budget (it might all have been downtime), and when nothing was
measured at all (a store never watched has no uptime figure); kept otherwise. The arithmetic is
in whole microseconds, so "exactly what is left" is exact. A period still running is judged on
its elapsed part ("so far").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PROMISE = 0.998  # 99.8 % a year, maintenance included
KEPT, BROKEN, NOT_KNOWN = "kept", "broken", "not_known"
VERDICTS = (KEPT, BROKEN, NOT_KNOWN)
_US = timedelta(microseconds=1)
Interval = tuple[datetime, datetime]


def normalise(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, merged, empty ones dropped."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    return normalise((max(a, start), min(b, end)) for a, b in intervals)


def subtract(intervals: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """``intervals`` less every point in ``holes``."""
    cut = normalise(holes)
    out: list[Interval] = []
    for start, end in normalise(intervals):
        cursor = start
        for h_start, h_end in cut:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                out.append((cursor, h_start))
            cursor = max(cursor, h_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    left, right = normalise(a), normalise(b)
    out: list[Interval] = []
    for s1, e1 in left:
        for s2, e2 in right:
            s, e = max(s1, s2), min(e1, e2)
            if s < e:
                out.append((s, e))
    return normalise(out)


def minutes(intervals: Iterable[Interval]) -> float:
    return sum((b - a).total_seconds() for a, b in normalise(intervals)) / 60


def microseconds(intervals: Iterable[Interval]) -> int:
    return sum((b - a) // _US for a, b in normalise(intervals))


def period_bounds(kind: str, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period of ``kind`` (day, month, year) holding local date ``day``, as UTC instants."""
    if kind == "day":
        first, after = day, day + timedelta(days=1)
    elif kind == "month":
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    elif kind == "year":
        first, after = date(day.year, 1, 1), date(day.year + 1, 1, 1)
    else:
        raise ValueError(f"unknown period {kind!r} (day, month, year)")
    start = datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)
    end = datetime(after.year, after.month, after.day, tzinfo=zone).astimezone(UTC)
    return start, end


def budget_minutes(start: datetime, end: datetime) -> float:
    """0.2 % of the full length of the period (89.28 minutes in a 31-day month)."""
    return round((end - start).total_seconds() / 60 * (1 - PROMISE), 4)


def budget_microseconds(start: datetime, end: datetime) -> int:
    """The budget exactly: 0.2 % = 2/1000 of the period (periods are whole seconds long)."""
    return (end - start) // _US * 2 // 1000


def verdict(*, budget_us: int, downtime_us: int, unknown_us: int, measured_us: int) -> str:
    """The verdict on the promise from exact durations (the module's docstring)."""
    if downtime_us > budget_us:
        return BROKEN
    if measured_us <= 0 or unknown_us > budget_us - downtime_us:
        return NOT_KNOWN
    return KEPT


@dataclass(frozen=True)
class Figures:
    start: datetime
    end: datetime
    length_minutes: float  # the full period
    elapsed_minutes: float  # up to now
    unknown_minutes: float  # blind, within the elapsed part
    measured_minutes: float  # elapsed less unknown
    downtime_minutes: float  # outages less unknown, maintenance included
    maintenance_minutes: float  # the part of the downtime inside announced maintenance
    budget_minutes: float
    remaining_minutes: float  # budget less downtime (negative: over budget)
    uptime_percent: float | None  # None: nothing measured (never watched in the period)
    verdict: str = NOT_KNOWN  # kept, broken, not_known

    @property
    def meets_promise(self) -> bool | None:
        """The verdict as the API's old field: kept True, broken False, not known None."""
        return {KEPT: True, BROKEN: False}.get(self.verdict)

    @property
    def watched(self) -> bool:
        """Something of the period was measured (else there is no uptime figure)."""
        return self.measured_minutes > 0

    @property
    def over(self) -> bool:
        return self.elapsed_minutes >= self.length_minutes

    @property
    def verdict_words(self) -> str:
        """The verdict as people read it: "kept", "kept so far", "broken", "not known …"."""
        if self.verdict == BROKEN:
            return "broken"
        if self.verdict == KEPT:
            return "kept" if self.over else "kept so far"
        if not self.watched:
            return "not known: not watched, no uptime figure"
        return (
            f"not known: {self.unknown_minutes:,.1f} min unknown, more than the "
            f"{max(self.remaining_minutes, 0):,.2f} min of budget left"
        )


def figures(
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    outages: Sequence[Interval],
    unknown: Sequence[Interval],
    maintenance: Sequence[Interval] = (),
) -> Figures:
    """The uptime of one period. ``outages`` may be open (end = ``now``) and overlap each other
    (several URLs of one store): the store is down while any of them is."""
    seen_until = max(start, min(end, now))
    blind = clip(unknown, start, seen_until)
    down = subtract(clip(outages, start, seen_until), blind)
    length = (end - start).total_seconds() / 60
    elapsed = (seen_until - start).total_seconds() / 60
    unknown_m = minutes(blind)
    measured = elapsed - unknown_m
    downtime = minutes(down)
    budget = budget_minutes(start, end)
    unknown_us = microseconds(blind)
    return Figures(
        start=start,
        end=end,
        length_minutes=length,
        elapsed_minutes=elapsed,
        unknown_minutes=unknown_m,
        measured_minutes=measured,
        downtime_minutes=downtime,
        maintenance_minutes=minutes(intersect(down, maintenance)),
        budget_minutes=budget,
        remaining_minutes=round(budget - downtime, 4),
        uptime_percent=(100 * (1 - downtime / measured)) if measured > 0 else None,
        verdict=verdict(
            budget_us=budget_microseconds(start, end),
            downtime_us=microseconds(down),
            unknown_us=unknown_us,
            measured_us=(seen_until - start) // _US - unknown_us,
        ),
    )


def days_back(today: date, count: int) -> list[date]:
    """The ``count`` local dates ending with ``today``, oldest first (the 90-day bar chart)."""
    return [today - timedelta(days=count - 1 - i) for i in range(count)]
