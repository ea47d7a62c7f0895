"""A merchant's ticket escalated to engineering, end to end through the services: a developer
ticket is opened and finished, the agent and the account manager are told, the account manager
gets a "tell the merchant" task and closes it by logging the call, and the merchant sees the
outcome, down to their progress sheet. It crosses engineering, account management,
notifications and reports, so it lives with the highest of them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.account_management import selectors as am_selectors
from helpline.account_management import services as am_services
from helpline.account_management.models import AmTask
from helpline.engineering import selectors, services
from helpline.outbox.models import Outbox
from helpline.reports import progress_sheet
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets import services as ticket_services
from helpline.tickets.models import Status, Ticket, TicketEvent

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
    home = am_selectors.am_home(user=cast.maya, now=T + timedelta(hours=31))
    assert [t.pk for t in home.tasks] == [task.pk]
    assert home.engineering == []  # nothing left in engineering

    # They call the merchant and log it: the task is done.
    entry = am_services.contact_log(
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
    log = am_selectors.contact_entries(user=cast.alice, store=cast.acme_shoes)
    assert [e.summary for e in log] == [entry.summary]
    (row,) = progress_sheet.sheet_rows(
        user=cast.alice, store=cast.acme_shoes, now=T + timedelta(hours=33)
    )
    assert row.reference == ticket.reference
    assert row.owner == "You" and "confirms" in row.next_step
