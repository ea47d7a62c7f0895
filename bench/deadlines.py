"""How fast are deadlines? helpline.sla.business_time against a naive minute-stepping reference.

Run: .venv/bin/python bench/deadlines.py [calls]

Business calendar (Mon–Fri 10:00–18:00 Asia/Kolkata, IN holidays 2026–2029), random starts
(to the microsecond) in 2026–2028 UTC, targets drawn from the business-hours lengths of
defaults.py (4 to 80 business hours). One core, one process. The reference runs on fewer
calls (minute-aligned starts) and its answers are checked against business_time's. Also prints
the cost of building one local year's index. No Django needed.
"""

from __future__ import annotations

import functools
import os
import platform
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import holidays

from helpline.sla import business_time, defaults

YEARS = range(2026, 2030)
FIRST = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_US = int((datetime(2029, 1, 1, tzinfo=UTC) - FIRST) / timedelta(microseconds=1))
MINUTE = timedelta(minutes=1)


@functools.cache
def in_holidays() -> frozenset[date]:
    return frozenset(holidays.country_holidays("IN", years=YEARS).keys())


def business_calendar(key: str = "business-in@bench") -> business_time.BusinessCalendar:
    spec = next(c for c in defaults.CALENDARS if c["slug"] == defaults.BUSINESS)
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for weekday, start, end in spec["intervals"]:  # type: ignore[attr-defined]
        (h1, m1), (h2, m2) = start.split(":"), end.split(":")
        days[weekday].append((int(h1) * 3600 + int(m1) * 60, int(h2) * 3600 + int(m2) * 60))
    return business_time.BusinessCalendar(
        key=key,
        zone=ZoneInfo(str(spec["zone"])),
        weekly=tuple(tuple(sorted(d)) for d in days),
        holidays=in_holidays(),
        first_year=YEARS[0],
        last_year=YEARS[-1],
    )


def reference_add(
    cal: business_time.BusinessCalendar, start: datetime, length: timedelta
) -> datetime:
    """The naive way: step minute by minute, counting the business ones."""
    minute = start.replace(second=0, microsecond=0)
    wanted, counted = length // MINUTE, 0
    while counted < wanted:
        local = minute.astimezone(cal.zone)
        second = local.hour * 3600 + local.minute * 60
        if local.date() not in cal.holidays and any(
            s <= second < e for s, e in cal.weekly[local.weekday()]
        ):
            counted += 1
        minute += MINUTE
    return minute


def workload(n: int, seed: int) -> list[tuple[datetime, timedelta]]:
    rng = random.Random(seed)
    lengths = sorted(
        {
            timedelta(minutes=minutes)
            for kinds in defaults.TARGETS.values()
            for minutes, calendar, _goal in kinds.values()
            if calendar == defaults.BUSINESS
        }
        | {timedelta(minutes=m) for *_, m in defaults.OVERRIDES if m >= 4 * 60}
    )
    return [
        (FIRST + timedelta(microseconds=rng.randrange(SPAN_US)), rng.choice(lengths))
        for _ in range(n)
    ]


def rate(calls: int, seconds: float) -> str:
    return f"{calls / seconds:>12,.0f} /s  ({seconds * 1e6 / calls:8.2f} µs per call)"


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    reference_calls = max(calls // 1000, 100)
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}")
    print(f"python:  {platform.python_version()} ({platform.python_implementation()})")
    print(f"cpus:    {os.cpu_count()} (benchmark uses one)")
    print(f"date:    {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print()

    # Building one local year's index (365 days of wall time -> UTC) on fresh calendars.
    in_holidays()
    fresh = [business_calendar(f"fresh-{i}") for i in range(500)]
    june = datetime(2027, 6, 1, tzinfo=UTC)
    t0 = time.perf_counter()
    for cal in fresh:
        business_time.is_business_time(cal, june)
    per_build = (time.perf_counter() - t0) / len(fresh)
    print(f"year index build: {per_build * 1e3:.3f} ms per calendar-year (avg of {len(fresh)})")
    print()

    cal = business_calendar()
    work = workload(calls, seed=2026)
    for start, length in work[:1000]:  # warm the year indexes (2026–2029) and sanity-check
        result = business_time.add_business_time(cal, start, length)
        assert business_time.business_time_between(cal, start, result) == length

    add = business_time.add_business_time
    t0 = time.perf_counter()
    for start, length in work:
        add(cal, start, length)
    fast = time.perf_counter() - t0

    lay_out = business_time.lay_out
    t0 = time.perf_counter()
    for start, length in work:
        lay_out(cal, start, length)
    fast_lay_out = time.perf_counter() - t0

    between = business_time.business_time_between
    ends = [start + length * 3 for start, length in work]
    t0 = time.perf_counter()
    for (start, _length), end in zip(work, ends, strict=True):
        between(cal, start, end)
    fast_between = time.perf_counter() - t0

    ref_work = [(s.replace(second=0, microsecond=0), n) for s, n in work[:reference_calls]]
    t0 = time.perf_counter()
    for start, length in ref_work:
        expected = reference_add(cal, start, length)
        assert add(cal, start, length) == expected
    slow = time.perf_counter() - t0
    t0 = time.perf_counter()
    for start, length in ref_work:
        add(cal, start, length)
    slow -= time.perf_counter() - t0  # leave out the checking calls

    hours = sorted({length // timedelta(hours=1) for _, length in work})
    print(f"deadlines: business calendar, random starts 2026–2028, targets {hours} business h")
    print(f"  business_time.add_business_time      {calls:>9,} calls {rate(calls, fast)}")
    print(f"  business_time.lay_out (no pauses)    {calls:>9,} calls {rate(calls, fast_lay_out)}")
    print(f"  business_time.business_time_between  {calls:>9,} calls {rate(calls, fast_between)}")
    print(
        f"  minute-stepping reference    {reference_calls:>9,} calls {rate(reference_calls, slow)}"
    )
    print(f"  speed-up over the reference: {(calls / fast) / (reference_calls / slow):,.0f}×")
    goal = 100_000
    verdict = "meets" if calls / fast >= goal else "MISSES"
    print(f"  goal ≥ {goal:,} deadlines/s on one core: {verdict}")


if __name__ == "__main__":
    main()
