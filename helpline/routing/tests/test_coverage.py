"""On-call coverage (POLICY.md, "Ownership and routing"): every hour outside business hours is
covered by the rota; the gaps of the next 7 days are found across midnight, zones, overrides,
holidays and people who left."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.outbox.models import OnCallOverride, OnCallShift
from helpline.routing.coverage import Gap, on_call_gaps
from helpline.routing.tests.rota import full_rota

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=IST)  # a week with no holiday in India


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    """December ``day`` 2026, ``hour``:``minute`` in IST."""
    return datetime(2026, 12, day, hour, minute, tzinfo=IST)


def test_with_no_rota_every_hour_outside_business_hours_is_a_gap(cast) -> None:
    gaps = on_call_gaps(now=MONDAY)
    assert gaps == [
        Gap(ist(7, 18), ist(8, 10)),
        Gap(ist(8, 18), ist(9, 10)),
        Gap(ist(9, 18), ist(10, 10)),
        Gap(ist(10, 18), ist(11, 10)),
        Gap(ist(11, 18), ist(14, 10)),  # the weekend, to the end of the 7 days
    ]
    assert all(g.starts_at.tzinfo is UTC for g in gaps)
    assert sum((g.length for g in gaps), timedelta()) == timedelta(hours=7 * 24 - 5 * 8)


def test_a_full_rota_leaves_no_gap_from_any_instant(cast) -> None:
    full_rota(cast.ravi, cast.lena)
    for hours in range(0, 7 * 24, 5):
        assert on_call_gaps(now=MONDAY + timedelta(hours=hours, minutes=7)) == []


def test_one_missing_night_is_one_gap_across_midnight(cast) -> None:
    full_rota(cast.ravi, cast.lena, skip=(2, time(18)))  # nobody on Wednesday night
    assert on_call_gaps(now=MONDAY) == [Gap(ist(9, 18), ist(10, 10))]
    # Seen from inside the gap, it starts now.
    assert on_call_gaps(now=ist(10, 1)) == [
        Gap(ist(10, 1), ist(10, 10)),
        Gap(ist(16, 18), ist(17, 1)),  # next week's, to the end of the 7 days
    ]


def test_a_gap_beyond_seven_days_is_not_reported(cast) -> None:
    full_rota(cast.ravi, cast.lena)  # nights and weekends: Christmas day (Friday) is open
    assert on_call_gaps(now=ist(18, 10)) == []  # the 7 days end as Christmas begins
    assert on_call_gaps(now=ist(18, 10, 1)) == [Gap(ist(25, 10), ist(25, 10, 1))]
    assert on_call_gaps(now=ist(18, 10), horizon=timedelta(days=8)) == [
        Gap(ist(25, 10), ist(25, 18))
    ]


def test_an_override_fills_a_gap_and_replaces_the_rota_while_it_lasts(cast) -> None:
    full_rota(cast.ravi, cast.lena, skip=(2, time(18)))
    OnCallOverride.objects.create(user=cast.ada, starts_at=ist(9, 18), ends_at=ist(10, 6))
    assert on_call_gaps(now=MONDAY) == [Gap(ist(10, 6), ist(10, 10))]
    # An override by someone who has left covers nothing — and still replaces the rota.
    cast.eric.is_active = False
    cast.eric.save(update_fields=["is_active"])
    OnCallOverride.objects.create(user=cast.eric, starts_at=ist(8, 1), ends_at=ist(8, 2))
    assert on_call_gaps(now=MONDAY)[0] == Gap(ist(8, 1), ist(8, 2))


def test_someone_who_left_covers_nothing(cast) -> None:
    full_rota(cast.ravi, cast.lena)
    cast.lena.is_active = False
    cast.lena.save(update_fields=["is_active"])
    assert on_call_gaps(now=MONDAY) == [Gap(ist(11, 18), ist(14, 10))]


def test_a_shift_in_another_zone_covers_its_own_hours(cast) -> None:
    full_rota(cast.ravi, cast.lena, skip=(2, time(18)))
    # Wednesday 12:30–04:30 London is Wednesday 18:00 → Thursday 10:00 IST (UTC+5:30, GMT).
    OnCallShift.objects.create(
        user=cast.maya, weekday=2, start=time(12, 30), end=time(4, 30), zone="Europe/London"
    )
    assert on_call_gaps(now=MONDAY) == []


def test_a_holiday_is_outside_business_hours_and_needs_the_on_call(cast) -> None:
    full_rota(cast.ravi, cast.lena)
    christmas = ist(25, 10)  # a Friday, a public holiday of the calendar
    gaps = on_call_gaps(now=ist(21, 10))
    assert gaps == [Gap(christmas, ist(25, 18))]
    assert gaps[0].starts_at == christmas.astimezone(UTC)


def test_a_rota_slot_whose_person_is_on_leave_is_a_gap_and_they_are_not_paged(cast) -> None:
    from helpline.routing.models import Leave
    from helpline.routing.selectors import on_call_at

    full_rota(cast.ravi, cast.lena)
    cast.ravi.time_zone = "Asia/Kolkata"
    cast.ravi.save(update_fields=["time_zone"])
    # Ravi (nights) is on leave Wednesday 9 December, his local day: that night's slot from
    # Tuesday's shift ends at midnight for him, Wednesday's starts only after his leave.
    Leave.objects.create(user=cast.ravi, starts_on=ist(9, 0).date(), ends_on=ist(9, 0).date())
    assert on_call_gaps(now=MONDAY) == [Gap(ist(9, 0), ist(9, 10)), Gap(ist(9, 18), ist(10, 0))]
    assert on_call_at(ist(9, 3)) == []  # nobody to page: escalation goes one level up
    assert on_call_at(ist(8, 23)) == [cast.ravi]
    assert on_call_at(ist(10, 1)) == [cast.ravi]


def test_an_override_by_someone_on_leave_covers_nothing_and_still_hides_the_rota(cast) -> None:
    from helpline.routing.models import Leave

    full_rota(cast.ravi, cast.lena)
    cast.lena.time_zone = "Asia/Kolkata"
    cast.lena.save(update_fields=["time_zone"])
    OnCallOverride.objects.create(user=cast.lena, starts_at=ist(8, 20), ends_at=ist(8, 23))
    Leave.objects.create(user=cast.lena, starts_on=ist(8, 0).date(), ends_on=ist(8, 0).date())
    assert on_call_gaps(now=MONDAY) == [Gap(ist(8, 20), ist(8, 23))]
