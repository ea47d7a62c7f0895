"""Issue 8, end to end through the services: a merchant's ticket is escalated, a developer
ticket is opened and finished, the agent and the account manager are told, the account manager
logs the call, and the merchant sees the outcome; an ETA change moves the due date with an event
and a note the merchant sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.core.errors import Forbidden, InvalidInput, NotFound
from helpline.engineering import selectors, services
from helpline.engineering.models import DevTicket
from helpline.merchants import care, care_selectors
from helpline.merchants.models import AmTask
from helpline.notify.models import Outbox
from helpline.reports import progress_sheet
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets import services as ticket_services
from helpline.tickets.models import Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
T = datetime(2026, 12, 7, 11, 0, tzinfo=IST)  # Monday, business hours


def _triaged(cast: Any, subject: str = "Product images do not load") -> Ticket:
    ticket = ticket_services.ticket_create(
        actor=cast.alice,
        store=cast.acme_shoes,
        subject=subject,
        description="The gallery shows broken images since the theme update",
        issue_type="functionality",
        priority="C3",
        now=T,
    )
    ticket_services.ticket_triage(actor=cast.ravi, ticket=ticket, assignee=cast.ravi.pk, now=T)
    ticket_services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="We are looking into it.", now=T
    )
    ticket.refresh_from_db()
    return ticket


def test_escalate_finish_tell_log_and_the_merchant_sees_the_outcome(cast) -> None:
    ticket = _triaged(cast)
    policy_due = ticket.due_at
    eta = T + timedelta(days=2)

    dev = services.devticket_open(
        actor=cast.maya,
        title="Image CDN returns 403 after theme update",
        ticket_ids=[ticket.pk],
        engineer_id=cast.eric.pk,
        eta=eta,
        now=T + timedelta(minutes=10),
    )
    assert dev.reference == f"DEV-{dev.pk}"
    ticket.refresh_from_db()
    assert ticket.due_at == eta != policy_due
    assert selectors.engineering_state([ticket.pk]) == {ticket.pk: "with engineering"}
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "public"))
    assert ("escalated", False) in kinds and ("due_date", True) in kinds
    # The engineer now sees the merchant ticket (linked), and the developer ticket.
    assert ticket_selectors.ticket_get(user=cast.eric, ticket_id=ticket.pk) == ticket
    assert selectors.devticket_get(user=cast.eric, dev_id=dev.reference) == dev
    # The merchant sees no developer ticket, but the note and the moved due date.
    assert selectors.for_ticket(user=cast.alice, ticket=ticket) == []
    public_bodies = [
        m.body for m in ticket_selectors.ticket_messages(user=cast.alice, ticket=ticket)
    ]
    assert any("engineering team" in b for b in public_bodies)

    services.devticket_update(
        actor=cast.eric, dev=dev, status="in_progress", now=T + timedelta(hours=1)
    )
    services.devticket_update(
        actor=cast.eric, dev=dev, status="in_review", now=T + timedelta(hours=20)
    )
    assert not AmTask.objects.exists()
    outbox_before = Outbox.objects.count()
    services.devticket_update(actor=cast.eric, dev=dev, status="done", now=T + timedelta(hours=30))
    dev.refresh_from_db()
    assert dev.status == "done" and dev.done_at == T + timedelta(hours=30)
    assert selectors.engineering_state([ticket.pk]) == {ticket.pk: "engineering done"}

    # The agent (assignee) and the account manager are told.
    told = Outbox.objects.filter(kind="engineering_done", channel="email")
    assert {o.recipient for o in told} == {cast.ravi.email, cast.maya.email}
    assert Outbox.objects.count() > outbox_before
    assert "tell the merchant" in told.get(recipient=cast.maya.email).payload["subject"]
    # The account manager has a "tell the merchant" task, on their home page.
    task = AmTask.objects.get()
    assert task.ticket_id == ticket.pk and task.done_at is None
    home = care_selectors.am_home(user=cast.maya, now=T + timedelta(hours=31))
    assert [t.pk for t in home.tasks] == [task.pk]
    assert home.engineering == []  # nothing left in engineering

    # They call the merchant and log it: the task is done.
    entry = care.contact_log(
        actor=cast.maya,
        store=cast.acme_shoes,
        channel="call",
        summary="Told Alice the images are fixed; she will check the gallery",
        ticket_ids=[ticket.pk],
        now=T + timedelta(hours=31),
    )
    task.refresh_from_db()
    assert task.done_at == T + timedelta(hours=31) and task.entry_id == entry.pk
    ticket_services.ticket_resolve(
        actor=cast.maya,
        ticket=ticket,
        message="Engineering fixed the image CDN; your gallery loads again.",
        now=T + timedelta(hours=32),
    )

    # The merchant sees the outcome: resolved, the message, the call in their contact log, and
    # the progress sheet row that asks them to confirm.
    seen = ticket_selectors.ticket_get(user=cast.alice, ticket_id=ticket.pk)
    assert seen.status == Status.RESOLVED
    bodies = [m.body for m in ticket_selectors.ticket_messages(user=cast.alice, ticket=ticket)]
    assert "Engineering fixed the image CDN; your gallery loads again." in bodies
    log = care_selectors.contact_entries(user=cast.alice, store=cast.acme_shoes)
    assert [e.summary for e in log] == [entry.summary]
    (row,) = progress_sheet.sheet_rows(
        user=cast.alice, store=cast.acme_shoes, now=T + timedelta(hours=33)
    )
    assert row.reference == ticket.reference
    assert row.owner == "You" and "confirms" in row.next_step


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
    assert "13 Dec 2026, 11:00 (Asia/Kolkata)" in note.body
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
    bolt = ticket_services.ticket_create(
        actor=cast.bob,
        store=cast.bolt_gadgets,
        subject="Bolt issue",
        description="x",
        issue_type="functionality",
        now=T,
    )
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
