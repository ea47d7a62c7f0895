"""The policy as data: seeded defaults, versions that never rewrite history, holiday rows.
(How tickets follow a policy edit or a holiday is ``tickets/tests/test_policy_and_holidays.py``.)"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from helpline.sla import defaults, selectors, services
from helpline.sla.models import Calendar, Holiday, HolidayYear, PolicyVersion, Target

pytestmark = pytest.mark.django_db


def test_migration_seeds_policy_md_defaults_as_version_1() -> None:
    policy = selectors.current_policy()
    assert policy.number == 1
    assert policy.priority_codes() == ["C1", "C2", "C3", "C4"]
    assert sorted(policy.issue_types) == sorted(slug for slug, *_ in defaults.ISSUE_TYPES)
    assert {s: i.default_priority for s, i in policy.issue_types.items()}["store-down"] == "C1"
    c3 = policy.targets_for("C3", "functionality")
    assert (c3["first_response"].minutes, c3["resolution"].minutes) == (480, 2400)
    assert policy.targets_for("C3", "app-submission")["resolution"].minutes == 64 * 60
    store_down = policy.targets_for("C1", "store-down")
    assert (store_down["first_response"].minutes, store_down["resolution"].minutes) == (15, 60)
    assert store_down["resolution"].calendar == "24x7"  # keeps the priority's clock
    assert policy.targets[("C4", "resolution")].goal_minutes == 5 * 8 * 60


def test_holidays_are_seeded_from_the_previous_year_through_two_ahead() -> None:
    cal = Calendar.objects.get(slug="business-in")
    years = set(HolidayYear.objects.filter(calendar=cal).values_list("year", flat=True))
    this_year = datetime.now(UTC).year
    assert years == set(range(this_year - 1, this_year + 3))
    assert Holiday.objects.filter(
        calendar=cal, date=date(this_year, 1, 26)
    ).exists()  # Republic Day


def test_an_unchanged_policy_publishes_no_new_version() -> None:
    assert services.policy_publish().number == 1
    assert PolicyVersion.objects.count() == 1


def test_a_policy_without_a_target_is_refused() -> None:
    Target.objects.filter(priority__code="C2", kind="resolution").delete()
    with pytest.raises(Exception, match="no target for: C2 resolution"):
        services.policy_publish()


def test_the_yearly_job_seeds_new_years_once_within_the_packages_range() -> None:
    later = datetime(2034, 6, 1, tzinfo=UTC)
    # 2036 is past the package's complete Indian dates (2001–2035): not seeded.
    assert services.holidays_seed(now=later)["business-in"] == [2033, 2034, 2035]
    assert services.holidays_seed(now=later)["business-in"] == []
    assert Holiday.objects.filter(date=date(2034, 1, 26)).exists()
