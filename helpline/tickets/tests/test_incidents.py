"""Master incidents and merges: updates reach every linked merchant, resolving the master
resolves them, merging keeps every message and event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from helpline.conftest import T0
from helpline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpline.outbox.models import Outbox
from helpline.tickets import attachments, incidents, selectors, services
from helpline.tickets.attachments import Upload
from helpline.tickets.models import Status, Ticket, TicketEvent, TicketMessage

LATER = T0 + timedelta(hours=1)
# What the merchants file about the outage (the tests choose the subjects).
PAYMENTS_FAIL: dict[str, Any] = {
    "description": "customers cannot pay",
    "issue_type": "transactions-failing",
}


@pytest.fixture
def incident(cast):
    master = cast.ticket(
        who="ravi",
        store=cast.acme_outlet,
        subject="Payment gateway outage",
        description="Upstream gateway down for all merchants",
        issue_type="transactions-failing",
        channel="staff",
    )
    acme, bolt = (
        cast.ticket(subject="Checkout down", **PAYMENTS_FAIL),
        cast.ticket(who="bob", subject="Checkout down", **PAYMENTS_FAIL),
    )
    for child in (acme, bolt):
        incidents.ticket_link(actor=cast.ravi, ticket=child, master=master, now=T0)
    return master, acme, bolt


def test_a_public_update_on_the_master_reaches_every_linked_merchant(cast, incident) -> None:
    master, acme, bolt = incident
    before = Outbox.objects.count()
    assert (
        incidents.master_update(
            actor=cast.ravi, master=master, body="Gateway vendor is restoring service", now=LATER
        )
        == 2
    )
    for child, who in ((acme, cast.alice), (bolt, cast.bob)):
        messages = selectors.ticket_messages(user=who, ticket=child)
        assert messages[-1].body == "Gateway vendor is restoring service"
        assert messages[-1].from_staff and not messages[-1].internal
        assert TicketEvent.objects.filter(ticket=child, kind="message", public=True).exists()
        # The update is the first public staff reply: it meets the first-response target.
        assert child.clocks.get(kind="first_response", superseded_at__isnull=True).met_at == LATER
    # Each merchant is notified of their own ticket (outbox rows written with the change).
    notified = set(Outbox.objects.filter(pk__gt=0).values_list("ticket_id", flat=True))
    assert {acme.pk, bolt.pk} <= notified
    assert Outbox.objects.count() > before
    # The merchant never learns the master's reference or sees the other merchant.
    events = selectors.ticket_events(user=cast.bob, ticket=bolt)
    linked = next(e for e in events if e.kind == "incident_linked")
    assert linked.public and linked.reason.startswith("joined a platform incident")


def test_resolving_the_master_resolves_the_linked_tickets_with_a_note_each(cast, incident):
    master, acme, bolt = incident
    assert (
        incidents.master_resolve(
            actor=cast.ravi, master=master, message="Gateway restored", now=LATER
        )
        == 2
    )
    for child in (master, acme, bolt):
        child.refresh_from_db()
        assert child.status == Status.RESOLVED and child.resolved_at == LATER
    note = TicketMessage.objects.filter(ticket=bolt, kind="resolution").get()
    assert note.body.endswith("Gateway restored")
    assert not note.internal


def test_only_staff_link_and_unknown_tickets_are_404(cast, incident) -> None:
    master, acme, bolt = incident
    other = cast.ticket(subject="Another", **PAYMENTS_FAIL)
    with pytest.raises(Forbidden):
        incidents.ticket_link(actor=cast.alice, ticket=other, master=acme, now=T0)
    with pytest.raises(NotFound):
        incidents.ticket_link(actor=cast.bob, ticket=other, master=bolt, now=T0)
    with pytest.raises(NotFound):
        # Maya manages Acme Shoes only: Bolt's ticket does not exist for her.
        incidents.ticket_link(actor=cast.maya, ticket=bolt, master=acme, now=T0)
    with pytest.raises(Conflict):
        incidents.ticket_link(actor=cast.ravi, ticket=other, master=acme, now=T0)  # acme linked
    with pytest.raises(Conflict):
        incidents.ticket_link(actor=cast.ravi, ticket=master, master=other, now=T0)  # a master
    with pytest.raises(InvalidInput):
        incidents.ticket_link(actor=cast.ravi, ticket=other, master=other, now=T0)
    incidents.ticket_unlink(actor=cast.ravi, ticket=acme, now=T0)
    assert Ticket.objects.get(pk=acme.pk).master_id is None


def test_merging_duplicates_keeps_every_message_and_event(cast) -> None:
    keep, dup = (
        cast.ticket(subject="Checkout down", **PAYMENTS_FAIL),
        cast.ticket(subject="Cannot pay", **PAYMENTS_FAIL),
    )
    shot = Upload(filename="error.png", content_type="image/png", data=b"\x89PNG...")
    services.ticket_reply(actor=cast.alice, ticket=dup, body="Still broken", files=[shot], now=T0)
    services.ticket_reply(actor=cast.ravi, ticket=dup, body="checking", internal=True, now=T0)
    dup_messages = set(TicketMessage.objects.filter(ticket=dup).values_list("pk", flat=True))
    dup_events = set(TicketEvent.objects.filter(ticket=dup).values_list("pk", flat=True))
    all_messages = TicketMessage.objects.count()
    all_events = TicketEvent.objects.count()
    incidents.tickets_merge(
        actor=cast.ravi, survivor=keep, duplicates=[dup], reason="same outage", now=LATER
    )
    assert TicketMessage.objects.count() == all_messages
    moved = set(TicketMessage.objects.filter(ticket=keep).values_list("pk", flat=True))
    assert dup_messages <= moved
    assert dup_events <= set(TicketEvent.objects.filter(ticket=keep).values_list("pk", flat=True))
    assert TicketEvent.objects.count() > all_events
    dup.refresh_from_db()
    assert dup.status == Status.CLOSED and dup.closed_at == LATER
    assert TicketEvent.objects.filter(ticket=dup, kind="merged_into", public=True).exists()
    merged = TicketEvent.objects.get(ticket=keep, kind="merged")
    assert merged.after is not None
    assert merged.after["messages"] == len(dup_messages)
    # The file stays with its message, now on the surviving ticket, where its page lists it.
    (file,) = attachments.ticket_attachments(user=cast.alice, ticket=keep)
    assert file.filename == "error.png" and file.message_id in moved
    assert merged.after["attachments"] == 1
    # The duplicate's clocks stopped: it can never breach.
    assert not dup.clocks.filter(
        met_at__isnull=True, stopped_at__isnull=True, superseded_at__isnull=True
    ).exists()
    # The merchant sees their own message on the survivor; the internal note stays internal.
    bodies = [m.body for m in selectors.ticket_messages(user=cast.alice, ticket=keep)]
    assert "Still broken" in bodies and "checking" not in bodies


def test_merging_refuses_other_merchants_and_closed_tickets(cast) -> None:
    keep, bolt = (
        cast.ticket(subject="Checkout down", **PAYMENTS_FAIL),
        cast.ticket(who="bob", subject="Checkout down", **PAYMENTS_FAIL),
    )
    before = TicketMessage.objects.filter(ticket=bolt).count()
    with pytest.raises(InvalidInput):
        incidents.tickets_merge(actor=cast.ravi, survivor=keep, duplicates=[bolt], now=LATER)
    assert TicketMessage.objects.filter(ticket=bolt).count() == before
    with pytest.raises(InvalidInput):
        incidents.tickets_merge(actor=cast.ravi, survivor=keep, duplicates=[], now=LATER)
    with pytest.raises(InvalidInput):
        incidents.tickets_merge(actor=cast.ravi, survivor=keep, duplicates=[keep], now=LATER)
    with pytest.raises(Forbidden):
        incidents.tickets_merge(
            actor=cast.alice,
            survivor=keep,
            duplicates=[cast.ticket(subject="Checkout down", **PAYMENTS_FAIL)],
        )
