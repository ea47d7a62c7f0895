"""Mail out, read back from a real SMTP server on loopback (aiosmtpd): the acknowledgement and a
staff reply, threaded, with our Message-IDs recorded; a reply to them joins the ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpline import worker
from helpline.mail.models import MessageId
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail, reply_to
from helpline.merchants import services as merchants
from helpline.tickets import services as tickets
from helpline.tickets.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db
OPEN = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)


def test_ack_and_staff_reply_are_threaded_and_their_ids_recorded(cast, smtp):
    mail_ingest(mail(message_id="<q1@mua.test>", subject="Images missing"), source="cli", now=OPEN)
    ticket = Ticket.objects.get()
    worker.run_once(now=OPEN + timedelta(seconds=1))
    # The merchant's acknowledgement (staff hear that nobody could be assigned: no team here).
    (ack,) = [m for m in smtp.messages if m["To"] == "alice@acme.test"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == "<q1@mua.test>" and "<q1@mua.test>" in ack["References"]
    assert f"[{ticket.reference}]" in ack["Subject"]
    assert ack.get_body(("plain",)) is not None and ack.get_body(("html",)) is not None
    assert MessageId.objects.filter(message_id=ack["Message-ID"].strip("<>"), outbound=True)

    tickets.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="Which page shows it?", now=OPEN + timedelta(hours=1)
    )
    worker.run_once(now=OPEN + timedelta(hours=1, seconds=1))
    reply = [m for m in smtp.messages if m["To"] == "alice@acme.test"][-1]
    assert reply["Subject"] == f"Re: [{ticket.reference}] Images missing"
    assert reply["In-Reply-To"] == "<q1@mua.test>"
    assert reply["Auto-Submitted"] is None  # a person wrote it
    text = reply.get_body(("plain",)).get_content()
    html = reply.get_body(("html",)).get_content()
    assert "Which page shows it?" in text and "Which page shows it?" in html
    assert MessageId.objects.get(message_id=reply["Message-ID"].strip("<>")).ticket_id == ticket.pk

    # Alice answers the staff reply from her mail client: it joins the ticket.
    answer = reply_to(reply, sender="alice@acme.test", body="The product page.")
    result = mail_ingest(answer, source="cli", now=OPEN + timedelta(hours=2))
    assert str(result) == f"reply {ticket.reference}"
    assert TicketMessage.objects.filter(ticket=ticket).values_list("body", flat=True).last() == (
        "The product page."
    )


def test_contact_without_login_gets_staff_replies_by_mail(cast, smtp):
    merchants.contact_create(merchant=cast.bolt, email="ops@bolt.test", now=OPEN)
    mail_ingest(mail(sender="ops@bolt.test", message_id="<b1@mua.test>"), source="cli", now=OPEN)
    ticket = Ticket.objects.get()
    assert ticket.requester_id is None
    tickets.ticket_reply(actor=cast.ravi, ticket=ticket, body="Fixed.", now=OPEN)
    tickets.ticket_reply(actor=cast.ravi, ticket=ticket, body="internal", internal=True, now=OPEN)
    worker.run_once(now=OPEN + timedelta(seconds=1))
    to_ops = [m for m in smtp.messages if m["To"] == "ops@bolt.test"]
    assert [m["Subject"].startswith("Re: ") for m in to_ops] == [False, True]  # ack, reply
    assert "Fixed." in to_ops[1].get_body(("plain",)).get_content()
    assert not any("internal" in m.get_body(("plain",)).get_content() for m in smtp.messages)
