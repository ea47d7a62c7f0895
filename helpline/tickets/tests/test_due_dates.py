"""The due date, the merchant's promise (docs/policy.md "Due date and compliance"): the first
one kept, the C1 workaround moving it, a reopen after it passed sending the ticket back to
triage, and a passed due date recorded once, at its instant, however late the sweep runs.

Business hours Mon–Fri 10:00–18:00 IST. Filed Monday 7 December 2026 10:00 IST.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline import worker
from helpline.core.errors import InvalidInput
from helpline.sla.defaults import RESOLUTION
from helpline.tickets import selectors, services, sweeps
from helpline.tickets.models import Ticket, TicketClock, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=IST)


def _events(ticket: Ticket, kind: str) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind).order_by("pk"))


def due_of(ticket: Ticket) -> datetime:
    assert ticket.due_at is not None
    return ticket.due_at


def _resolution(ticket: Ticket) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, kind=RESOLUTION, superseded_at__isnull=True)


def _triaged(cast: Any, **more: Any) -> Ticket:
    ticket = cast.ticket(at=ist(7, 10), **more)
    return cast.triage(ticket, at=ist(7, 10, 5), team=cast.team.pk)


def test_the_first_due_date_is_kept_when_the_due_date_moves(cast) -> None:
    ticket = _triaged(cast)
    first = due_of(ticket)
    assert first == _resolution(ticket).deadline and ticket.first_due_at == first
    services.ticket_update(
        actor=cast.ravi,
        ticket=ticket,
        due_at=first + timedelta(days=2),
        reason="agreed with Alice",
        now=ist(8, 11),
    )
    ticket.refresh_from_db()
    assert ticket.due_at == first + timedelta(days=2)
    assert ticket.first_due_at == first


def test_a_c1_workaround_moves_the_due_date_to_the_c2_resolution_deadline(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10), issue_type="transactions-failing")
    ticket = cast.triage(ticket, at=ist(7, 10, 5))
    assert ticket.priority == "C1"
    c1_due = due_of(ticket)
    services.ticket_workaround(
        actor=cast.ravi, ticket=ticket, message="Use the backup gateway", now=ist(7, 12)
    )
    ticket.refresh_from_db()
    c2_deadline = _resolution(ticket).deadline
    assert ticket.priority == "C2" and c2_deadline is not None
    assert ticket.due_at == c2_deadline != c1_due
    assert ticket.first_due_at == c1_due
    (moved,) = _events(ticket, "due_date")[1:]
    assert moved.public and moved.before == c1_due.isoformat()
    assert moved.after == c2_deadline.isoformat()
    assert moved.reason == "workaround recorded: the C2 resolution deadline"


def test_a_workaround_before_triage_gives_no_due_date(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10), issue_type="transactions-failing")
    services.ticket_workaround(actor=cast.ravi, ticket=ticket, message="Backup", now=ist(7, 11))
    ticket.refresh_from_db()
    assert ticket.due_at is None and not _events(ticket, "due_date")


def reopened_after_due(cast: Any) -> Ticket:
    """Triaged, resolved in time, reopened by Alice a day after the due date (the pages' tests
    use it too)."""
    ticket = _triaged(cast)
    services.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Fixed", now=ist(8, 12))
    due = due_of(ticket)
    services.ticket_reopen(actor=cast.alice, ticket=ticket, reason="Broken again", now=due + ONE)
    ticket.refresh_from_db()
    return ticket


ONE = timedelta(days=1)
TRIAGE = selectors.TicketFilters(to_triage=True)


def test_a_reopen_after_the_due_date_passed_asks_for_a_new_one(cast) -> None:
    ticket = reopened_after_due(cast)
    last = due_of(ticket)
    assert ticket.needs_due_date and ticket.due_passed_at is None
    withdrawn = _events(ticket, "due_date")[-1]
    assert withdrawn.public and withdrawn.after is None and withdrawn.before == last.isoformat()
    assert "a new due date will be set" in withdrawn.reason
    # In the triage queue, never "overdue" for the merchant (API and pages).
    queue, _ = selectors.ticket_list(user=cast.ravi, filters=TRIAGE)
    assert [t.pk for t in queue] == [ticket.pk]
    body = cast.api("alice").get(f"tickets/{ticket.pk}").json_body
    assert body["due_at"] is None and body["due_state"] == "new_due_date_pending"
    # The sweep tells nobody of the old date: a new one is what is missing.
    assert sweeps.due_dates_sweep(now=last + 2 * ONE) == 0


def test_a_new_due_date_takes_the_ticket_out_of_the_triage_queue(cast) -> None:
    ticket = reopened_after_due(cast)
    first = ticket.first_due_at
    assert ticket.needs_due_date_since is not None
    now = ticket.needs_due_date_since + timedelta(hours=1)
    new = now + 3 * ONE
    services.ticket_update(actor=cast.ravi, ticket=ticket, due_at=new, reason="rework", now=now)
    ticket.refresh_from_db()
    assert not ticket.needs_due_date and ticket.due_at == new and ticket.first_due_at == first
    assert _events(ticket, "due_date")[-1].before is None
    queue, _ = selectors.ticket_list(user=cast.ravi, filters=TRIAGE)
    assert queue == []
    assert cast.api("alice").get(f"tickets/{ticket.pk}").json_body["due_state"] == "running"


def test_a_reopen_before_the_due_date_keeps_it(cast) -> None:
    ticket = _triaged(cast)
    services.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Fixed", now=ist(8, 12))
    services.ticket_reopen(actor=cast.alice, ticket=ticket, reason="Again", now=ist(8, 13))
    ticket.refresh_from_db()
    assert not ticket.needs_due_date and len(_events(ticket, "due_date")) == 1


def test_the_triage_queue_is_staff_only(cast) -> None:
    from helpline.core.errors import Forbidden

    with pytest.raises(Forbidden):
        selectors.ticket_list(user=cast.alice, filters=selectors.TicketFilters(to_triage=True))
    res = cast.api("alice").get("tickets", to_triage="true")
    assert res.status_code == 403


# ---------------------------------------------------------------- a passed due date


def test_a_passed_due_date_is_recorded_once_at_its_instant(cast) -> None:
    ticket = _triaged(cast)
    due = due_of(ticket)
    assert sweeps.due_dates_sweep(now=due - timedelta(seconds=1)) == 0
    late = due + timedelta(hours=5)  # the worker was down
    assert sweeps.due_dates_sweep(now=late) == 1
    (passed,) = _events(ticket, "due_passed")
    assert passed.created_at == due and not passed.public and passed.actor is None
    assert passed.after == {"due_at": due.isoformat()}
    ticket.refresh_from_db()
    assert ticket.due_passed_at == due and ticket.updated_at < due  # bookkeeping, no update
    assert sweeps.due_dates_sweep(now=late + ONE) == 0
    # A new due date is told once more when it passes.
    services.ticket_update(
        actor=cast.ravi, ticket=ticket, due_at=late + ONE, reason="more time", now=late
    )
    assert sweeps.due_dates_sweep(now=late + 2 * ONE) == 1
    assert len(_events(ticket, "due_passed")) == 2


def test_the_workers_step_records_a_passed_due_date(cast) -> None:
    ticket = _triaged(cast)
    due = due_of(ticket)
    worker.run_once(now=due + timedelta(minutes=1))
    (passed,) = _events(ticket, "due_passed")
    assert passed.created_at == due


def test_a_change_after_the_due_date_records_it_before_the_sweep(cast) -> None:
    ticket = _triaged(cast)
    due = due_of(ticket)
    services.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Done", now=due + ONE)
    (passed,) = _events(ticket, "due_passed")
    assert passed.created_at == due and passed.actor is None
    assert sweeps.due_dates_sweep(now=due + 2 * ONE) == 0


def test_no_passed_due_date_for_a_ticket_resolved_in_time_or_without_one(cast) -> None:
    kept = _triaged(cast)
    services.ticket_resolve(actor=cast.ravi, ticket=kept, message="Done", now=ist(8, 12))
    cast.ticket(at=ist(7, 11))  # never triaged: no due date
    assert sweeps.due_dates_sweep(now=ist(31, 12)) == 0
    assert not TicketEvent.objects.filter(kind="due_passed").exists()


def test_a_due_date_in_the_past_is_refused_and_nothing_is_written(cast) -> None:
    ticket = _triaged(cast)
    before = list(TicketEvent.objects.filter(ticket=ticket).values_list("pk", flat=True))
    with pytest.raises(InvalidInput) as err:
        services.ticket_update(
            actor=cast.ravi, ticket=ticket, due_at=ist(7, 9), reason="oops", now=ist(8, 10)
        )
    assert err.value.code == "due_at_in_past"
    ticket.refresh_from_db()
    assert ticket.due_at == ticket.first_due_at
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("pk", flat=True)) == before
