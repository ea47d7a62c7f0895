"""The verdict on the uptime promise, "kept", "broken" or "not known", with exact arithmetic
(docs/policy.md, "Hosting and uptime"): not known when the unknown time of the period exceeds
what is left of its budget; a store never watched has no uptime figure."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.monitoring import uptime

pytestmark = pytest.mark.pure
IST = ZoneInfo("Asia/Kolkata")
SECOND = timedelta(seconds=1)
MIN = timedelta(minutes=1)
US = timedelta(microseconds=1)


def period(kind: str, day: date) -> tuple[datetime, datetime]:
    return uptime.period_bounds(kind, day, IST)


def judged(
    kind: str,
    day: date,
    *,
    down: timedelta = timedelta(0),
    unknown: timedelta = timedelta(0),
    now: datetime | None = None,
) -> uptime.Figures:
    """One outage of ``down`` on the 3rd day and ``unknown`` blind time from the 10th."""
    start, end = period(kind, day)
    down_at, blind_at = start + timedelta(days=2), start + timedelta(days=9)
    return uptime.figures(
        start=start,
        end=end,
        now=now or end + timedelta(days=1),
        outages=[(down_at, down_at + down)] if down else [],
        unknown=[(blind_at, blind_at + unknown)] if unknown else [],
    )


def test_budgets_exactly():
    budget = uptime.budget_microseconds
    assert budget(*period("year", date(2026, 3, 1))) == 63_072_000_000  # 1,051.2 min
    assert budget(*period("year", date(2028, 3, 1))) == 63_244_800_000  # 366 days: 1,054.08
    assert budget(*period("month", date(2026, 10, 1))) == 5_356_800_000  # 89.28
    assert budget(*period("month", date(2026, 11, 1))) == 5_184_000_000  # 86.4
    start = period("day", date(2026, 11, 2))[0]
    week = uptime.budget_microseconds(start, start + timedelta(days=7))
    assert week == 1_209_600_000  # 20.16 minutes
    # A London day of 23 hours (clocks go forward) has a budget of 0.2 % of 23 hours.
    london = uptime.period_bounds("day", date(2026, 3, 29), ZoneInfo("Europe/London"))
    assert uptime.budget_microseconds(*london) == 23 * 3600 * 2 * 1000


def test_unknown_exactly_equal_to_what_is_left_is_kept_one_microsecond_more_is_not_known():
    # October (31 days): budget 89.28 min; 29.28 down leaves exactly 60 min.
    kept = judged("month", date(2026, 10, 1), down=29.28 * MIN, unknown=60 * MIN)
    assert kept.remaining_minutes == pytest.approx(60)
    assert kept.verdict == uptime.KEPT and kept.meets_promise is True
    assert kept.verdict_words == "kept"
    more = judged("month", date(2026, 10, 1), down=29.28 * MIN, unknown=60 * MIN + US)
    assert more.verdict == uptime.NOT_KNOWN and more.meets_promise is None
    assert more.uptime_percent is not None and more.uptime_percent > 99.9  # a figure, no verdict
    assert (
        more.verdict_words == "not known: 60.0 min unknown, more than the 60.00 min of budget left"
    )


def test_a_year_of_365_days_allows_1051_2_minutes_between_downtime_and_unknown():
    kept = judged("year", date(2026, 1, 1), down=1_000 * MIN, unknown=51.2 * MIN)
    assert kept.verdict == uptime.KEPT
    unsure = judged("year", date(2026, 1, 1), down=1_000 * MIN, unknown=51.2 * MIN + SECOND)
    assert unsure.verdict == uptime.NOT_KNOWN


def test_downtime_exactly_the_budget_is_kept_a_microsecond_more_is_broken():
    assert judged("month", date(2026, 11, 1), down=86.4 * MIN).verdict == uptime.KEPT
    assert judged("month", date(2026, 11, 1), down=86.4 * MIN + US).verdict == uptime.BROKEN


def test_broken_even_with_unknown_time():
    broken = judged("month", date(2026, 11, 1), down=90 * MIN, unknown=timedelta(days=10))
    assert broken.verdict == uptime.BROKEN and broken.meets_promise is False
    assert broken.verdict_words == "broken"


def test_most_of_the_year_unmeasured_is_not_known_though_no_downtime_was_seen():
    """The bug: 69 % of the year unmeasured and the promise said to be met."""
    start, end = period("year", date(2026, 1, 1))
    watched_from = start + (end - start) * 69 // 100
    figures = uptime.figures(
        start=start, end=end, now=end, outages=[], unknown=[(start, watched_from)]
    )
    assert figures.uptime_percent == 100.0
    assert figures.verdict == uptime.NOT_KNOWN and figures.meets_promise is None


def test_a_store_never_watched_has_no_uptime_figure_and_no_verdict():
    start, end = period("month", date(2026, 11, 1))
    never = uptime.figures(start=start, end=end, now=end, outages=[], unknown=[(start, end)])
    assert never.uptime_percent is None and not never.watched
    assert never.verdict == uptime.NOT_KNOWN
    assert never.verdict_words == "not known: not watched, no uptime figure"
    # The first instant of a period: nothing measured yet either.
    fresh = uptime.figures(start=start, end=end, now=start, outages=[], unknown=[])
    assert fresh.verdict == uptime.NOT_KNOWN and not fresh.watched


def test_a_running_period_is_judged_so_far():
    start, _ = period("month", date(2026, 11, 1))
    running = judged("month", date(2026, 11, 1), down=10 * MIN, now=start + timedelta(days=15))
    assert not running.over
    assert running.verdict == uptime.KEPT and running.verdict_words == "kept so far"
