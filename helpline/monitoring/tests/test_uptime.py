"""Uptime arithmetic, by hand-checked examples (docs/policy.md, "Hosting and uptime")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.monitoring import states, uptime

pytestmark = pytest.mark.pure
IST = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")
MIN = timedelta(minutes=1)


def month(day: date, zone: ZoneInfo = IST) -> tuple[datetime, datetime]:
    return uptime.period_bounds("month", day, zone)


def figures_for(minutes_down: float, *, unknown_minutes: float = 0) -> uptime.Figures:
    start, end = month(date(2026, 10, 1))  # October: 31 days = 44,640 minutes
    down_start = start + timedelta(days=3)
    blind_start = start + timedelta(days=10)
    return uptime.figures(
        start=start,
        end=end,
        now=end + timedelta(days=1),
        outages=[(down_start, down_start + minutes_down * MIN)],
        unknown=[(blind_start, blind_start + unknown_minutes * MIN)] if unknown_minutes else [],
    )


def test_budgets_are_point_two_percent_of_the_full_period():
    assert uptime.budget_minutes(*month(date(2026, 10, 1))) == 89.28  # 31 days
    assert uptime.budget_minutes(*month(date(2026, 11, 1))) == 86.4  # 30 days
    assert uptime.budget_minutes(*uptime.period_bounds("year", date(2026, 5, 5), IST)) == 1051.2
    start, end = month(date(2026, 10, 1))
    assert (end - start) == timedelta(days=31)
    # IST months start at local midnight: 30 Sep 18:30 UTC.
    assert start == datetime(2026, 9, 30, 18, 30, tzinfo=UTC)


def test_ninety_minutes_down_in_a_31_day_month_is_below_the_promise_88_is_not():
    ninety, eighty_eight = figures_for(90), figures_for(88)
    # 1 − 90/44,640 = 99.79839… %; 1 − 88/44,640 = 99.80287… %
    assert ninety.uptime_percent == pytest.approx(99.798387, abs=1e-6)
    assert ninety.meets_promise is False
    assert eighty_eight.uptime_percent == pytest.approx(99.802867, abs=1e-6)
    assert eighty_eight.meets_promise is True


def test_remaining_budget():
    assert figures_for(88).remaining_minutes == pytest.approx(1.28)
    assert figures_for(90).remaining_minutes == pytest.approx(-0.72)
    assert figures_for(0).remaining_minutes == pytest.approx(89.28)


def test_an_hour_of_unknown_time_is_shown_and_left_out_of_the_measured_length():
    f = figures_for(88, unknown_minutes=60)
    assert f.unknown_minutes == 60
    assert f.measured_minutes == 44_640 - 60
    assert f.downtime_minutes == 88
    # 1 − 88/44,580 = 99.80260…: still within the promise; the budget is of the full period.
    assert f.uptime_percent == pytest.approx(99.802602, abs=1e-6)
    assert f.budget_minutes == 89.28


def test_unknown_time_inside_an_outage_is_not_downtime():
    start, end = month(date(2026, 10, 1))
    down = start + timedelta(days=1)
    f = uptime.figures(
        start=start,
        end=end,
        now=end,
        outages=[(down, down + 120 * MIN)],
        unknown=[(down + 30 * MIN, down + 90 * MIN)],  # the monitor was blind for an hour
    )
    assert f.downtime_minutes == 60
    assert f.unknown_minutes == 60


def test_a_merchant_in_another_zone_gets_their_own_calendar_month():
    # 31 Oct 2026 23:30 UTC to 1 Nov 00:30 UTC. London left summer time on 25 Oct, so October
    # there is 31 days and one hour (44,700 min, budget 89.4) and half the outage is in it.
    # In India the whole hour is on 1 November (05:00-06:00 IST).
    outage = [
        (datetime(2026, 10, 31, 23, 30, tzinfo=UTC), datetime(2026, 11, 1, 0, 30, tzinfo=UTC))
    ]
    now = datetime(2026, 12, 1, tzinfo=UTC)
    london_oct = uptime.figures(
        start=month(date(2026, 10, 1), LONDON)[0],
        end=month(date(2026, 10, 1), LONDON)[1],
        now=now,
        outages=outage,
        unknown=[],
    )
    assert london_oct.length_minutes == 44_700
    assert london_oct.budget_minutes == 89.4
    assert london_oct.downtime_minutes == 30
    oct_start, oct_end = month(date(2026, 10, 1))
    nov_start, nov_end = month(date(2026, 11, 1))
    ist_oct = uptime.figures(start=oct_start, end=oct_end, now=now, outages=outage, unknown=[])
    ist_nov = uptime.figures(start=nov_start, end=nov_end, now=now, outages=outage, unknown=[])
    assert ist_oct.downtime_minutes == 0
    assert ist_nov.downtime_minutes == 60


def test_the_future_is_not_measured_and_maintenance_still_counts():
    start, end = uptime.period_bounds("day", date(2026, 11, 24), IST)
    now = start + timedelta(hours=12)
    f = uptime.figures(
        start=start,
        end=end,
        now=now,
        outages=[(start + timedelta(hours=1), start + timedelta(hours=1, minutes=20))],
        unknown=[],
        maintenance=[(start + timedelta(hours=1), start + timedelta(hours=1, minutes=10))],
    )
    assert f.elapsed_minutes == 720
    assert f.measured_minutes == 720
    assert f.downtime_minutes == 20
    assert f.maintenance_minutes == 10
    assert f.budget_minutes == pytest.approx(2.88)  # the whole day's 0.2 %


def test_interval_helpers():
    t = datetime(2026, 1, 1, tzinfo=UTC)
    a = [(t, t + 10 * MIN), (t + 5 * MIN, t + 20 * MIN), (t + 30 * MIN, t + 40 * MIN)]
    assert uptime.normalise(a) == [(t, t + 20 * MIN), (t + 30 * MIN, t + 40 * MIN)]
    assert uptime.minutes(a) == 30
    assert uptime.subtract(a, [(t + 15 * MIN, t + 35 * MIN)]) == [
        (t, t + 15 * MIN),
        (t + 35 * MIN, t + 40 * MIN),
    ]


def test_state_machine_confirms_after_three_failures_and_two_successes():
    t = datetime(2026, 1, 1, tzinfo=UTC)
    snap = states.Snapshot(states.UP)
    steps = []
    for i, ok in enumerate([False, False, False, False, True, False, True, True]):
        step = states.advance(snap, ok=ok, at=t + i * MIN, down_after=3, up_after=2)
        steps.append(step)
        snap = step.after
    assert [s.after.state for s in steps] == [
        "suspect",
        "suspect",
        "down",
        "down",
        "recovering",
        "down",
        "recovering",
        "up",
    ]
    assert steps[2].outage_confirmed and steps[2].after.first_failure_at == t
    assert steps[7].recovery_confirmed and steps[7].recovered_at == t + 6 * MIN
    assert sum(s.outage_confirmed for s in steps) == 1
