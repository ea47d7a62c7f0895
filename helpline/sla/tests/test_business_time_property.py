"""helpline.sla.business_time held against a deliberately naive minute-stepping reference.

The reference knows nothing of year indexes or bisection: it walks minute by minute from the
start, converts each minute to the calendar's local time, and counts the minute [m, m+1) if it
is business time there (not a local holiday, inside one of the weekday's intervals), until N
minutes are counted; the deadline is the end of the last counted minute. Every priority ×
issue type target of defaults.py (overrides applied, on its own calendar) is exercised.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.sla import business_time
from helpline.sla.business_time import BusinessCalendar

from .calendars import Target, by_slug, targets

pytestmark = pytest.mark.pure

MINUTE = timedelta(minutes=1)
FIRST = datetime(2026, 1, 1, tzinfo=UTC)
LAST = datetime(2028, 12, 31, 23, 59, tzinfo=UTC)
TARGETS = targets()
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# Calendars hold holiday years 2026–2029: deadlines from late 2028 run into 2029.
starts = st.integers(0, (LAST - FIRST) // MINUTE).map(lambda n: FIRST + n * MINUTE)


def reference_is_business(cal: BusinessCalendar, minute: datetime) -> bool:
    if cal.always_open:
        return True
    local = minute.astimezone(cal.zone)
    if local.date() in cal.holidays:
        return False
    second = local.hour * 3600 + local.minute * 60 + local.second
    return any(start <= second < end for start, end in cal.weekly[local.weekday()])


def reference_lay_out(
    cal: BusinessCalendar,
    start: datetime,
    minutes: int,
    pauses: Sequence[tuple[datetime, datetime | None]] = (),
) -> datetime | None:
    """Step minute by minute; None if an open pause begins before the deadline is reached."""
    closed = [(begin, end) for begin, end in pauses if end is not None]
    open_from = min((begin for begin, end in pauses if end is None), default=None)
    counted, minute = 0, start
    while counted < minutes:
        if open_from is not None and minute >= open_from:
            return None
        paused = any(begin <= minute < end for begin, end in closed)
        if not paused and reference_is_business(cal, minute):
            counted += 1
        minute += MINUTE
    return minute


def calendar_of(target: Target) -> BusinessCalendar:
    return by_slug(target.calendar)


@SETTINGS
@given(start=starts, target=st.sampled_from(TARGETS))
def test_add_business_time_matches_the_minute_stepping_reference(
    start: datetime, target: Target
) -> None:
    cal = calendar_of(target)
    expected = reference_lay_out(cal, start, target.length // MINUTE)
    assert expected is not None
    result = business_time.add_business_time(cal, start, target.length)
    assert result == expected, target
    assert result.tzinfo is UTC
    assert business_time.business_time_between(cal, start, result) == target.length
    assert business_time.lay_out(cal, start, target.length) == result


@SETTINGS
@given(
    start=starts,
    target=st.sampled_from(TARGETS),
    pauses=st.lists(
        st.tuples(
            st.integers(-3 * 24 * 60, 14 * 24 * 60),  # minutes from start; may precede it
            st.one_of(st.none(), st.integers(0, 4 * 24 * 60)),  # length; None = still open
        ),
        max_size=4,
    ),
)
def test_lay_out_with_pauses_matches_the_reference(
    start: datetime, target: Target, pauses: list[tuple[int, int | None]]
) -> None:
    cal = calendar_of(target)
    spans = [
        (start + offset * MINUTE, None if length is None else start + (offset + length) * MINUTE)
        for offset, length in pauses
    ]
    expected = reference_lay_out(cal, start, target.length // MINUTE, spans)
    result = business_time.lay_out(cal, start, target.length, spans)
    assert result == expected, (target, spans)
    if result is not None:
        assert business_time.elapsed(cal, start, result, spans) == target.length


@SETTINGS
@given(start=starts, target=st.sampled_from(TARGETS))
def test_warning_instant_is_business_time_before_the_deadline(
    start: datetime, target: Target
) -> None:
    cal = calendar_of(target)
    warning = business_time.warning_instant(cal, start, target.length)
    deadline = business_time.lay_out(cal, start, target.length)
    assert warning is not None
    assert deadline is not None
    assert start < warning < deadline
    assert business_time.business_time_between(cal, start, warning) == target.length * 3 // 4
    # Just before the warning instant the clock was running.
    assert business_time.is_business_time(cal, warning - timedelta(microseconds=1))
