"""Business-time arithmetic (helpline.sla.business_time), one rule per test.

Times are written in the calendar's local zone; business_time answers in UTC, and aware
datetimes compare as instants.
"""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.sla import business_time, defaults
from helpline.sla.business_time import BusinessCalendar, CalendarRangeError

from .calendars import always, business_in, by_slug, custom, target

pytestmark = pytest.mark.pure

IST = ZoneInfo("Asia/Kolkata")
BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)


def ist(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, us, tzinfo=IST)


def berlin(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return by_slug(defaults.BUSINESS)


# -- calendars and holidays -----------------------------------------------------------------


def test_holiday_is_judged_by_the_local_date(cal: BusinessCalendar) -> None:
    # 19:00 UTC on Thu 1 Oct 2026 is 00:30 on Fri 2 Oct in India: Gandhi Jayanti.
    start = datetime(2026, 10, 1, 19, 0, tzinfo=UTC)
    assert not business_time.is_business_time(cal, ist(2026, 10, 2, 11, 0))
    assert business_time.next_opening(cal, start) == ist(2026, 10, 5, 10, 0)  # Monday
    assert business_time.add_business_time(cal, start, 2 * H) == ist(2026, 10, 5, 12, 0)
    # The UTC date (1 Oct, a working Thursday) is not what decides.
    assert business_time.is_business_time(cal, ist(2026, 10, 1, 17, 0))


def test_results_are_in_utc(cal: BusinessCalendar) -> None:
    result = business_time.add_business_time(cal, ist(2026, 6, 1, 11, 0), H)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 6, 1, 6, 30, tzinfo=UTC)
    assert business_time.next_opening(cal, ist(2026, 6, 1, 11, 0)).tzinfo is UTC


def test_deadline_runs_into_next_year_over_a_holiday_added_in_january() -> None:
    start = ist(2026, 12, 31, 14, 0)  # Thursday; 4 h left that day, Fri 1 Jan is open
    plain = business_in()
    added = business_in(add=[date(2027, 1, 4)])  # the IN list has nothing in early January
    assert business_time.add_business_time(plain, start, 16 * H) == ist(2027, 1, 4, 14, 0)
    assert business_time.add_business_time(added, start, 16 * H) == ist(2027, 1, 5, 14, 0)
    assert business_time.business_time_between(added, start, ist(2027, 1, 5, 14, 0)) == 16 * H


def test_deadline_landing_exactly_at_closing_stays_at_closing(cal: BusinessCalendar) -> None:
    assert business_time.add_business_time(cal, ist(2026, 6, 1, 10, 0), 8 * H) == ist(
        2026, 6, 1, 18, 0
    )
    assert business_time.add_business_time(cal, ist(2026, 6, 1, 14, 0), 4 * H) == ist(
        2026, 6, 1, 18, 0
    )
    # Started at closing time, it counts from the next opening.
    assert business_time.add_business_time(cal, ist(2026, 6, 1, 18, 0), 8 * H) == ist(
        2026, 6, 2, 18, 0
    )


def test_deadline_landing_at_the_end_of_a_morning_interval_stays_there() -> None:
    lunch = custom("Asia/Kolkata", [("10:00", "13:00"), ("14:00", "18:00")])
    start = ist(2026, 6, 1, 10, 0)
    assert business_time.add_business_time(lunch, start, 3 * H) == ist(2026, 6, 1, 13, 0)
    minute = timedelta(minutes=1)
    assert business_time.add_business_time(lunch, start, 3 * H + minute) == ist(2026, 6, 1, 14, 1)
    assert not business_time.is_business_time(lunch, ist(2026, 6, 1, 13, 30))
    assert business_time.business_time_between(lunch, start, ist(2026, 6, 1, 18, 0)) == 7 * H


def test_start_one_second_before_opening_counts_from_opening(cal: BusinessCalendar) -> None:
    start = ist(2026, 6, 1, 9, 59, 59)
    assert not business_time.is_business_time(cal, start)
    assert business_time.is_business_time(cal, ist(2026, 6, 1, 10, 0))
    assert business_time.next_opening(cal, start) == ist(2026, 6, 1, 10, 0, 0)
    assert business_time.add_business_time(cal, start, H) == ist(2026, 6, 1, 11, 0, 0)


def test_c2_filed_friday_1700_is_due_wednesday_1700(cal: BusinessCalendar) -> None:
    # docs/policy.md's example; 5–10 June 2026 has no IN holiday.
    c2 = target("feature-broken", "C2", defaults.RESOLUTION)
    assert (c2.length, c2.calendar) == (24 * H, defaults.BUSINESS)
    due = business_time.add_business_time(cal, ist(2026, 6, 5, 17, 0), c2.length)
    assert due == ist(2026, 6, 10, 17, 0)


def test_start_after_hours_counts_from_the_next_opening(cal: BusinessCalendar) -> None:
    friday_evening = ist(2026, 6, 5, 19, 0)
    assert business_time.next_opening(cal, friday_evening) == ist(2026, 6, 8, 10, 0)
    assert business_time.add_business_time(cal, friday_evening, 4 * H) == ist(2026, 6, 8, 14, 0)


def test_weekend_is_skipped(cal: BusinessCalendar) -> None:
    assert business_time.add_business_time(cal, ist(2026, 6, 5, 16, 0), 4 * H) == ist(
        2026, 6, 8, 12, 0
    )
    saturday = ist(2026, 6, 6, 12, 0)
    assert not business_time.is_business_time(cal, saturday)
    assert business_time.business_time_between(
        cal, ist(2026, 6, 5, 18, 0), ist(2026, 6, 8, 10, 0)
    ) == (timedelta(0))


def test_removed_holiday_counts_as_a_working_day() -> None:
    start = ist(2026, 10, 1, 10, 0)  # Thursday before Gandhi Jayanti
    assert business_time.add_business_time(business_in(), start, 16 * H) == ist(2026, 10, 5, 18, 0)
    removed = business_in(remove=[date(2026, 10, 2)])
    assert business_time.add_business_time(removed, start, 16 * H) == ist(2026, 10, 2, 18, 0)


def test_added_holiday_is_skipped() -> None:
    added = business_in(add=[date(2026, 6, 8)])
    assert business_time.add_business_time(added, ist(2026, 6, 5, 16, 0), 4 * H) == ist(
        2026, 6, 9, 12, 0
    )
    assert not business_time.is_business_time(added, ist(2026, 6, 8, 12, 0))


def test_year_with_every_holiday_removed_counts_every_weekday() -> None:
    all_2027 = [d for d in business_in().holidays if d.year == 2027]
    assert date(2027, 1, 26) in all_2027  # Republic Day, a Tuesday
    empty = business_in(remove=all_2027)
    assert not [d for d in empty.holidays if d.year == 2027]
    year = business_time.business_time_between(empty, ist(2027, 1, 1), ist(2028, 1, 1))
    assert year == 261 * 8 * H  # 2027 has 261 weekdays
    start = ist(2027, 1, 25, 10, 0)
    assert business_time.add_business_time(empty, start, 16 * H) == ist(2027, 1, 26, 18, 0)
    assert business_time.add_business_time(business_in(), start, 16 * H) == ist(2027, 1, 27, 18, 0)


def test_calendar_range_error_outside_the_loaded_years() -> None:
    cal = business_in(range(2026, 2030))
    with pytest.raises(CalendarRangeError) as caught:
        business_time.add_business_time(cal, ist(2030, 1, 2, 11, 0), H)
    assert caught.value.year == 2030
    assert str(caught.value) == "no holiday data for 2030 (covered: 2026–2029)"
    assert isinstance(caught.value, ValueError)
    with pytest.raises(CalendarRangeError) as caught:  # runs off the end of 2029
        business_time.add_business_time(cal, ist(2029, 12, 31, 16, 0), 4 * H)
    assert caught.value.year == 2030
    with pytest.raises(CalendarRangeError) as caught:
        business_time.is_business_time(cal, ist(2025, 12, 31, 12, 0))
    assert caught.value.year == 2025
    # Within range up to the very end is fine.
    assert business_time.add_business_time(cal, ist(2029, 12, 31, 16, 0), 2 * H) == ist(
        2029, 12, 31, 18
    )
    assert pickle.loads(pickle.dumps(caught.value)).year == 2025  # noqa: S301 (our own)


def test_always_open_calendar_is_wall_time() -> None:
    cal = always()
    saturday_night = ist(2026, 6, 6, 3, 0)
    assert business_time.is_business_time(cal, saturday_night)
    assert business_time.next_opening(cal, saturday_night) == saturday_night
    assert business_time.add_business_time(cal, saturday_night, 2 * H) == ist(2026, 6, 6, 5, 0)
    far = ist(2150, 1, 1)  # years are ignored
    assert business_time.business_time_between(cal, saturday_night, far) == far - saturday_night


def test_length_zero_returns_start_unchanged(cal: BusinessCalendar) -> None:
    sunday = ist(2026, 6, 7, 3, 0)
    assert business_time.add_business_time(cal, sunday, timedelta(0)) == sunday
    assert business_time.lay_out(cal, sunday, timedelta(0)) == sunday


def test_negative_length_is_refused(cal: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        business_time.add_business_time(cal, ist(2026, 6, 1, 12), -H)


# -- pauses -----------------------------------------------------------------------------------


def test_pause_across_a_weekend_does_not_count(cal: BusinessCalendar) -> None:
    start = ist(2026, 6, 5, 14, 0)  # Friday
    assert business_time.lay_out(cal, start, 8 * H) == ist(2026, 6, 8, 14, 0)
    pause = (ist(2026, 6, 5, 16, 0), ist(2026, 6, 8, 12, 0))  # Fri 16:00 → Mon 12:00
    assert business_time.lay_out(cal, start, 8 * H, [pause]) == ist(2026, 6, 8, 18, 0)


def test_open_pause_before_the_deadline_means_no_deadline(cal: BusinessCalendar) -> None:
    start = ist(2026, 6, 5, 14, 0)
    assert business_time.lay_out(cal, start, 8 * H, [(ist(2026, 6, 5, 16, 0), None)]) is None
    # An open pause from the deadline onwards (or later) does not stop it.
    deadline = ist(2026, 6, 8, 14, 0)
    assert business_time.lay_out(cal, start, 8 * H, [(deadline, None)]) == deadline
    assert business_time.lay_out(cal, start, 8 * H, [(ist(2026, 6, 9, 10, 0), None)]) == deadline
    assert business_time.warning_instant(cal, start, 8 * H, [(start, None)]) is None


def test_pauses_may_overlap_be_unsorted_and_begin_before_start(cal: BusinessCalendar) -> None:
    start = ist(2026, 6, 5, 14, 0)
    pauses = [
        (ist(2026, 6, 5, 14, 30), ist(2026, 6, 5, 16, 0)),
        (ist(2026, 6, 4, 12, 0), ist(2026, 6, 5, 15, 0)),  # began the day before
        (ist(2026, 6, 5, 15, 30), ist(2026, 6, 5, 15, 45)),  # inside another
        (ist(2026, 6, 1, 10, 0), ist(2026, 6, 2, 10, 0)),  # entirely before start
    ]
    # Paused Fri 14:00–16:00, so 2 h on Friday and 6 h on Monday.
    assert business_time.lay_out(cal, start, 8 * H, pauses) == ist(2026, 6, 8, 16, 0)
    assert business_time.elapsed(cal, start, ist(2026, 6, 8, 16, 0), pauses) == 8 * H


def test_pause_ending_before_it_begins_is_refused(cal: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="pause"):
        business_time.lay_out(
            cal, ist(2026, 6, 1, 10), H, [(ist(2026, 6, 1, 12), ist(2026, 6, 1, 11))]
        )


def test_elapsed_is_net_of_pauses(cal: BusinessCalendar) -> None:
    start, until = ist(2026, 6, 5, 14, 0), ist(2026, 6, 8, 12, 0)
    assert business_time.elapsed(cal, start, until) == 6 * H  # Friday 4 h, Monday 2 h
    pause = (ist(2026, 6, 5, 15, 0), ist(2026, 6, 8, 11, 0))
    assert business_time.elapsed(cal, start, until, [pause]) == 2 * H
    assert business_time.elapsed(cal, start, until, [(ist(2026, 6, 5, 15, 0), None)]) == H
    assert business_time.elapsed(cal, until, start) == timedelta(0)


# -- warnings ---------------------------------------------------------------------------------


def test_warning_at_75_percent_falls_inside_business_hours(cal: BusinessCalendar) -> None:
    c3 = target("functionality", "C3", defaults.RESOLUTION)  # 40 business hours
    start = ist(2026, 6, 1, 10, 0)
    warning = business_time.warning_instant(cal, start, c3.length)
    assert warning == ist(2026, 6, 4, 16, 0)  # 30 h: three days and 6 h
    assert warning is not None
    assert business_time.is_business_time(cal, warning)
    c2 = target("feature-broken", "C2", defaults.FIRST_RESPONSE)  # 4 h from Friday 17:00
    warning = business_time.warning_instant(cal, ist(2026, 6, 5, 17, 0), c2.length)
    assert warning == ist(2026, 6, 8, 12, 0)
    assert warning is not None
    assert business_time.is_business_time(cal, warning)


def test_warning_length_is_rounded_down_to_the_second(cal: BusinessCalendar) -> None:
    start = ist(2026, 6, 1, 10, 0)
    seconds = timedelta(seconds=7, microseconds=999_999)
    assert business_time.warning_instant(cal, start, seconds) == ist(2026, 6, 1, 10, 0, 5)
    store_down = target("store-down", "C1", defaults.FIRST_RESPONSE)  # 15 min, 24×7
    warning = business_time.warning_instant(always(), start, store_down.length)
    assert warning == start + timedelta(minutes=11, seconds=15)
    assert business_time.warning_instant(cal, start, 100 * timedelta(seconds=1), fraction=0.29) == (
        start + timedelta(seconds=29)
    )


# -- arithmetic -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "until",
    [
        ist(2026, 6, 1, 10, 0, 0, 1),
        ist(2026, 6, 3, 17, 59, 59, 999_999),
        ist(2026, 10, 5, 10, 0, 0, 1),  # after Gandhi Jayanti
        ist(2027, 1, 4, 12, 34, 56, 789),  # next year
    ],
)
def test_business_time_between_is_the_inverse_of_add(
    cal: BusinessCalendar, until: datetime
) -> None:
    start = ist(2026, 5, 29, 16, 20)
    assert business_time.is_business_time(cal, until)
    length = business_time.business_time_between(cal, start, until)
    assert business_time.add_business_time(cal, start, length) == until


def test_add_never_lands_on_an_opening_instant(cal: BusinessCalendar) -> None:
    # The one exception to the inverse above: at an opening the same business time had
    # already elapsed at the previous closing, and a deadline stays at the closing.
    start, opening = ist(2026, 10, 1, 16, 0), ist(2026, 10, 5, 10, 0)
    length = business_time.business_time_between(cal, start, opening)
    assert length == 2 * H
    assert business_time.add_business_time(cal, start, length) == ist(2026, 10, 1, 18, 0)


def test_naive_datetimes_are_refused(cal: BusinessCalendar) -> None:
    naive = datetime(2026, 6, 1, 12, 0)
    aware = ist(2026, 6, 1, 12, 0)
    calls = [
        lambda: business_time.is_business_time(cal, naive),
        lambda: business_time.next_opening(cal, naive),
        lambda: business_time.add_business_time(cal, naive, H),
        lambda: business_time.business_time_between(cal, aware, naive),
        lambda: business_time.lay_out(cal, aware, H, [(naive, None)]),
        lambda: business_time.elapsed(cal, aware, aware, [(aware, naive)]),
        lambda: business_time.add_business_time(always(), naive, H),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


def test_arithmetic_is_exact_to_the_microsecond(cal: BusinessCalendar) -> None:
    start = ist(2026, 6, 1, 10, 0, 0, 1)
    almost_a_day = timedelta(hours=7, minutes=59, seconds=59, microseconds=999_999)
    assert business_time.add_business_time(cal, start, almost_a_day) == ist(2026, 6, 1, 18, 0)
    tick = timedelta(microseconds=1)
    assert business_time.add_business_time(cal, start, almost_a_day + tick) == ist(
        2026, 6, 2, 10, 0, 0, 1
    )
    far = ist(2026, 12, 30, 13, 14, 15, 161_718)
    assert (
        business_time.add_business_time(
            cal, start, business_time.business_time_between(cal, start, far)
        )
        == far
    )
    assert (
        business_time.business_time_between(cal, ist(2026, 6, 1, 17, 59, 59, 999_999), far) >= tick
    )


def test_dst_zone_gives_wall_clock_correct_results() -> None:
    # Europe/Berlin springs forward on Sun 28 March 2027 (02:00 → 03:00) and falls back on
    # Sun 31 October 2027 (03:00 → 02:00).
    office = custom("Europe/Berlin", [("09:00", "17:00")], key="office-berlin")
    friday = berlin(2027, 3, 26, 16, 0)  # CET, 15:00 UTC
    monday = business_time.add_business_time(office, friday, 2 * H)
    assert monday == berlin(2027, 3, 29, 10, 0)  # CEST, 08:00 UTC
    assert monday == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    assert business_time.business_time_between(office, friday, monday) == 2 * H
    assert business_time.next_opening(office, berlin(2027, 11, 1, 8, 0)) == berlin(
        2027, 11, 1, 9, 0
    )
    # A Sunday night shift 01:00–04:00 lasts 2 real hours in March and 4 in October.
    night = custom("Europe/Berlin", [("01:00", "04:00")], weekdays=[6], key="night-berlin")
    spring = business_time.business_time_between(
        night, berlin(2027, 3, 28, 0), berlin(2027, 3, 28, 6)
    )
    autumn = business_time.business_time_between(
        night, berlin(2027, 10, 31, 0), berlin(2027, 10, 31, 6)
    )
    assert (spring, autumn) == (2 * H, 4 * H)
    assert business_time.add_business_time(night, berlin(2027, 3, 28, 0), 2 * H) == berlin(
        2027, 3, 28, 4
    )


def test_nonexistent_wall_times_are_handled_with_fold_zero() -> None:
    # 02:30 does not exist on 28 March 2027 in Berlin; intervals stay sorted and disjoint.
    odd = custom("Europe/Berlin", [("01:00", "02:30"), ("03:00", "05:00")], weekdays=[6], key="odd")
    total = business_time.business_time_between(odd, berlin(2027, 3, 28, 0), berlin(2027, 3, 28, 6))
    assert total == 3 * H  # 01:00 CET → 05:00 CEST is 3 real hours, none counted twice
    week = business_time.business_time_between(odd, berlin(2027, 3, 21, 0), berlin(2027, 3, 21, 6))
    assert week == timedelta(hours=3, minutes=30)


def test_weekly_is_validated() -> None:
    def make(weekly: object) -> BusinessCalendar:
        return BusinessCalendar(
            key="bad",
            zone=IST,
            weekly=weekly,  # type: ignore[arg-type]
            holidays=frozenset(),
            first_year=2026,
            last_year=2026,
        )

    day = ((36_000, 64_800),)
    with pytest.raises(ValueError, match="7 entries"):
        make((day,) * 6)
    with pytest.raises(ValueError, match="overlaps"):
        make((((36_000, 50_000), (40_000, 64_800)),) + ((),) * 6)
    with pytest.raises(ValueError, match="0 <= start < end"):
        make((((36_000, 90_000),),) + ((),) * 6)
    with pytest.raises(ValueError, match="0 <= start < end"):
        make((((64_800, 36_000),),) + ((),) * 6)
    assert make((day,) * 5 + ((),) * 2).key == "bad"


# -- the default policy -----------------------------------------------------------------------


def test_c3_first_response_is_the_next_business_day_same_time(cal: BusinessCalendar) -> None:
    c3 = target("functionality", "C3", defaults.FIRST_RESPONSE)
    assert (c3.length, c3.calendar) == (8 * H, defaults.BUSINESS)
    tuesday = ist(2026, 6, 2, 11, 23)
    assert business_time.lay_out(cal, tuesday, c3.length) == ist(2026, 6, 3, 11, 23)
    friday = ist(2026, 6, 5, 15, 0)
    assert business_time.lay_out(cal, friday, c3.length) == ist(2026, 6, 8, 15, 0)


def test_app_submission_c3_resolution_is_64_business_hours(cal: BusinessCalendar) -> None:
    app = target("app-submission", "C3", defaults.RESOLUTION)
    assert (app.length, app.calendar) == (64 * H, defaults.BUSINESS)
    # Eight business days from Monday 1 June 2026 opening: Wednesday 10 June, 18:00.
    assert business_time.lay_out(cal, ist(2026, 6, 1, 10, 0), app.length) == ist(2026, 6, 10, 18, 0)
    plain = target("functionality", "C3", defaults.RESOLUTION)
    assert business_time.lay_out(cal, ist(2026, 6, 1, 10, 0), plain.length) == ist(
        2026, 6, 5, 18, 0
    )


def test_c4_targets_are_two_and_ten_business_days(cal: BusinessCalendar) -> None:
    first = target("minor", "C4", defaults.FIRST_RESPONSE)
    resolution = target("minor", "C4", defaults.RESOLUTION)
    assert (first.length, resolution.length) == (16 * H, 80 * H)
    start = ist(2026, 6, 1, 12, 0)
    assert business_time.lay_out(cal, start, first.length) == ist(2026, 6, 3, 12, 0)
    assert business_time.lay_out(cal, start, resolution.length) == ist(2026, 6, 15, 12, 0)


def test_store_down_c1_is_15_and_60_minutes_of_wall_time() -> None:
    first = target("store-down", "C1", defaults.FIRST_RESPONSE)
    resolution = target("store-down", "C1", defaults.RESOLUTION)
    assert (first.calendar, resolution.calendar) == (defaults.ALWAYS, defaults.ALWAYS)
    cal = by_slug(defaults.ALWAYS)
    saturday_night = ist(2026, 6, 6, 3, 0)
    assert business_time.lay_out(cal, saturday_night, first.length) == ist(2026, 6, 6, 3, 15)
    assert business_time.lay_out(cal, saturday_night, resolution.length) == ist(2026, 6, 6, 4, 0)
    other_c1 = target("transactions-failing", "C1", defaults.RESOLUTION)
    assert business_time.lay_out(cal, saturday_night, other_c1.length) == ist(2026, 6, 6, 9, 0)
