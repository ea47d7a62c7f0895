"""Developer tickets through the services: an ETA change moves the due date with an event and a
note the merchant sees; who may escalate. (The whole story, escalated to told to the merchant's
progress sheet, is ``reports/tests/test_escalation_story.py``: it reads every app above this.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.core.errors import Forbidden, InvalidInput, NotFound
from helpline.engineering import selectors, services
from helpline.engineering.models import DevTicket
from helpline.outbox.models import Outbox
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets import services as ticket_services
from helpline.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
T = datetime(2026, 12, 7, 11, 0, tzinfo=IST)  # Monday, business hours


def _triaged(cast: Any, subject: str = "Product images do not load") -> Ticket:
    ticket = cast.ticket(
        subject=subject,
        description="The gallery shows broken images since the theme update",
        priority="C3",
        at=T,
    )
    cast.triage(ticket, at=T)
    ticket_services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="We are looking into it.", now=T
    )
    ticket.refresh_from_db()
    return ticket


def test_an_eta_change_moves_the_due_date_with_an_event_and_a_note(cast) -> None:
    ticket = _triaged(cast)
    dev = services.devticket_open(
        actor=cast.ravi, title="Fix gallery", ticket_ids=[ticket.pk], now=T
    )
    ticket.refresh_from_db()
    due_before = ticket.due_at
    assert due_before is not None  # the policy's, set on triage; no ETA yet
    new_eta = T + timedelta(days=6)

    services.devticket_update(actor=cast.eric, dev=dev, eta=new_eta, now=T + timedelta(hours=2))

    ticket.refresh_from_db()
    assert ticket.due_at == new_eta
    event = TicketEvent.objects.filter(ticket=ticket, kind="due_date").latest("pk")
    assert event.public and event.actor_id == cast.eric.pk
    assert event.after == new_eta.astimezone(UTC).isoformat()
    assert event.before == due_before.astimezone(UTC).isoformat()
    assert dev.reference in event.reason
    # The merchant sees the event and a note, in their zone.
    assert event in ticket_selectors.ticket_events(user=cast.alice, ticket=ticket)
    note = ticket_selectors.ticket_messages(user=cast.alice, ticket=ticket)[-1]
    assert "Sun 13 Dec 2026, 11:00 IST" in note.body
    # The merchant hears of it.
    assert Outbox.objects.filter(recipient=cast.alice.email, kind__in=["due_date", "message"])

    # An ETA in the past is refused and changes nothing.
    with pytest.raises(InvalidInput):
        services.devticket_update(actor=cast.eric, dev=dev, eta=T, now=T + timedelta(hours=3))
    ticket.refresh_from_db()
    assert ticket.due_at == new_eta


def test_every_linked_developer_ticket_must_be_done(cast) -> None:
    ticket = _triaged(cast)
    first = services.devticket_open(actor=cast.ravi, title="API", ticket_ids=[ticket.pk], now=T)
    second = services.devticket_open(actor=cast.ravi, title="UI", ticket_ids=[ticket.pk], now=T)
    services.devticket_update(actor=cast.eric, dev=first, status="done", now=T + timedelta(hours=1))
    assert not TicketEvent.objects.filter(ticket=ticket, kind="engineering_done").exists()
    assert selectors.engineering_state([ticket.pk]) == {ticket.pk: "with engineering"}
    services.devticket_update(
        actor=cast.eric, dev=second, status="done", now=T + timedelta(hours=2)
    )
    done = TicketEvent.objects.get(ticket=ticket, kind="engineering_done")
    assert done.after == {"dev_tickets": [first.reference, second.reference]}


def test_who_may_escalate(cast) -> None:
    ticket = _triaged(cast)
    bolt = cast.ticket(who="bob", subject="Bolt issue", description="x", at=T)
    with pytest.raises(NotFound):  # Maya does not manage Bolt Gadgets
        services.devticket_open(actor=cast.maya, title="x", ticket_ids=[bolt.pk], now=T)
    with pytest.raises(Forbidden):  # the merchant sees the ticket; escalating is staff's
        services.devticket_open(actor=cast.alice, title="x", ticket_ids=[ticket.pk], now=T)
    with pytest.raises(NotFound):  # the engineer sees only linked tickets
        services.devticket_open(actor=cast.eric, title="x", ticket_ids=[ticket.pk], now=T)
    dev = services.devticket_open(actor=cast.ravi, title="x", ticket_ids=[ticket.pk], now=T)
    with pytest.raises(Forbidden):  # now the engineer sees it, but escalating is staff's
        services.devticket_open(actor=cast.eric, title="y", ticket_ids=[ticket.pk], now=T)
    with pytest.raises(InvalidInput):
        services.devticket_update(actor=cast.ravi, dev=dev, status="finished", now=T)
    with pytest.raises(InvalidInput):
        services.devticket_open(
            actor=cast.ravi, title="x", ticket_ids=[ticket.pk], engineer_id=cast.ravi.pk, now=T
        )
    assert DevTicket.objects.count() == 1
