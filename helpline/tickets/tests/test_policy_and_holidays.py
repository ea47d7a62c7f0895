"""Tickets under a changing policy: a policy edit leaves open tickets on the version they were
opened under; a holiday added or removed (``tickets.holidays``) moves their deadlines with an
event. (Moved from sla's tests: they drive the ticket services, which sit above sla.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.sla import selectors, services
from helpline.sla.models import Calendar, Holiday, IssueType, Target
from helpline.sla.preview import sla_preview
from helpline.tickets import holidays as calendar_changes
from helpline.tickets import services as tickets
from helpline.tickets.models import TicketClock, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def ist(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=IST)


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
