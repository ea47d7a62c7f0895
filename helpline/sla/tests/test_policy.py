"""The policy as data: seeded defaults, versions that never rewrite history, holiday rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.sla import defaults, selectors, services
from helpline.sla.models import Calendar, Holiday, HolidayYear, IssueType, PolicyVersion, Target
from helpline.sla.preview import sla_preview
from helpline.tickets import holidays as calendar_changes
from helpline.tickets import services as tickets
from helpline.tickets.models import TicketClock, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def ist(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=IST)


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


def test_a_policy_edit_makes_a_new_version_and_old_tickets_keep_theirs(cast) -> None:
    start = ist(2026, 12, 7, 10, 0)
    old = tickets.ticket_create(
        actor=cast.alice,
        store=cast.acme_shoes,
        subject="Old",
        description="d",
        issue_type="functionality",
        now=start,
    )
    Target.objects.filter(priority__code="C3", kind="first_response").update(minutes=240)
    version = services.policy_publish(note="C3 answers in 4 h")
    assert version.number == 2
    new = tickets.ticket_create(
        actor=cast.alice,
        store=cast.acme_shoes,
        subject="New",
        description="d",
        issue_type="functionality",
        now=start,
    )
    first = {
        t.pk: TicketClock.objects.get(ticket=t, kind="first_response").deadline for t in (old, new)
    }
    assert first[old.pk] == ist(2026, 12, 7, 18, 0)
    assert first[new.pk] == ist(2026, 12, 7, 14, 0)
    # Re-prioritising the old ticket still uses the version it was opened under.
    tickets.ticket_update(actor=cast.ravi, ticket=old, priority="C4", reason="minor", now=start)
    tickets.ticket_update(actor=cast.ravi, ticket=old, priority="C3", reason="back", now=start)
    current = TicketClock.objects.get(ticket=old, kind="first_response", superseded_at__isnull=True)
    assert current.deadline == ist(2026, 12, 7, 18, 0)


def test_a_policy_without_a_target_is_refused() -> None:
    Target.objects.filter(priority__code="C2", kind="resolution").delete()
    with pytest.raises(Exception, match="no target for: C2 resolution"):
        services.policy_publish()


def test_an_added_holiday_moves_pending_deadlines_with_an_event(cast) -> None:
    cal = Calendar.objects.get(slug="business-in")
    ticket = tickets.ticket_create(
        actor=cast.alice,
        store=cast.acme_shoes,
        subject="s",
        description="d",
        issue_type="functionality",
        now=ist(2026, 12, 7, 10, 0),
    )
    clock = TicketClock.objects.get(ticket=ticket, kind="resolution")
    assert clock.deadline == ist(2026, 12, 11, 18, 0)
    moved = calendar_changes.holiday_add(
        calendar=cal, day=date(2026, 12, 9), name="Company day", now=ist(2026, 12, 7, 11)
    )
    assert moved == 1
    clock.refresh_from_db()
    assert clock.deadline == ist(2026, 12, 14, 18, 0)
    event = TicketEvent.objects.get(
        ticket=ticket, kind="sla_recomputed", after__target="resolution"
    )
    assert "Company day" in event.reason
    calendar_changes.holiday_remove(calendar=cal, day=date(2026, 12, 9), now=ist(2026, 12, 7, 12))
    clock.refresh_from_db()
    assert clock.deadline == ist(2026, 12, 11, 18, 0)


def test_a_removed_package_holiday_stays_removed() -> None:
    cal = Calendar.objects.get(slug="business-in")
    at = "2026-10-02T10:00:00+05:30"  # Gandhi Jayanti, a Friday
    assert sla_preview(priority="C3", issue_type=None, at=at)["open_now"] is False
    calendar_changes.holiday_remove(calendar=cal, day=date(2026, 10, 2))
    assert sla_preview(priority="C3", issue_type=None, at=at)["open_now"] is True


def test_a_year_with_every_holiday_removed_stays_empty() -> None:
    cal = Calendar.objects.get(slug="business-in")
    this_year = datetime.now(UTC).year
    year = this_year + 1  # seeded by the migration
    for day in list(
        Holiday.objects.filter(calendar=cal, date__year=year).values_list("date", flat=True)
    ):
        calendar_changes.holiday_remove(calendar=cal, day=day)
    assert not Holiday.objects.filter(calendar=cal, date__year=year).exists()
    answer = sla_preview(priority="C3", issue_type=None, at=f"{year}-01-26T10:00:00+05:30")
    if date(year, 1, 26).weekday() < 5:
        assert answer["open_now"] is True  # Republic Day no longer a holiday: the year is seeded


def test_the_yearly_job_seeds_new_years_once_within_the_packages_range() -> None:
    later = datetime(2034, 6, 1, tzinfo=UTC)
    # 2036 is past the package's complete Indian dates (2001–2035): not seeded.
    assert services.holidays_seed(now=later)["business-in"] == [2033, 2034, 2035]
    assert services.holidays_seed(now=later)["business-in"] == []
    assert Holiday.objects.filter(date=date(2034, 1, 26)).exists()


def test_issue_type_edit_publishes_and_existing_tickets_are_untouched(cast) -> None:
    ticket = tickets.ticket_create(
        actor=cast.alice,
        store=cast.acme_shoes,
        subject="s",
        description="d",
        issue_type="minor",
        now=ist(2026, 12, 7, 10, 0),
    )
    IssueType.objects.filter(slug="minor").update(active=False)
    services.policy_publish(note="retire minor")
    assert "minor" in selectors.policy_version(ticket.policy_version_id).issue_types
    assert not selectors.current_policy().issue_types["minor"].active
    assert ticket.created_at + timedelta(0) == ist(2026, 12, 7, 10, 0)
