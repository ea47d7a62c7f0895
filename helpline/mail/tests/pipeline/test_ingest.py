"""mail_ingest: routing, threading, priorities, loops, duplicates, quarantine (decision 0016)."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from helpline.mail.models import InboundMail, MessageId, Outcome
from helpline.mail.quarantine import quarantine_discard, quarantine_to_ticket
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail, reply_to
from helpline.merchants import services as merchants
from helpline.outbox.models import Outbox
from helpline.tickets import services as tickets
from helpline.tickets.models import Attachment, Ticket, TicketEvent, TicketMessage

pytestmark = pytest.mark.django_db

OPEN = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # Wed 10:30 IST: business hours
NIGHT = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # Wed 21:30 IST: after hours


def kept(row: InboundMail) -> bytes:
    return bytes(row.raw or b"")


def after(event: TicketEvent) -> dict:
    return event.after if isinstance(event.after, dict) else {}


def acks(to: str | None = None) -> list[Outbox]:
    qs = Outbox.objects.filter(kind="mail_ack").order_by("pk")
    return list(qs.filter(recipient=to) if to else qs)


def the_ack(to: str) -> email.message.EmailMessage:
    """The acknowledgement as the outbox would send it (payload read back)."""
    (row,) = acks(to)
    return row.payload


def test_contact_mail_opens_a_c3_ticket_on_their_store_and_is_acknowledged(cast):
    raw = mail()
    result = mail_ingest(raw, source="cli", now=OPEN)
    assert result.outcome == "ticket"
    ticket = Ticket.objects.get()
    assert str(result) == f"ticket {ticket.reference}"
    assert ticket.merchant_id == cast.acme.pk
    assert ticket.store_id == cast.acme_shoes.pk  # the merchant's first store
    assert (ticket.priority, ticket.issue_type, ticket.channel) == ("C3", "functionality", "email")
    assert ticket.requester_id == cast.alice.pk
    assert not ticket.unverified_sender
    assert "checkout button" in ticket.description
    payload = the_ack("alice@acme.test")
    assert payload["auto_submitted"] == "auto-replied"
    assert ticket.reference in payload["subject"]
    assert "Your C3 ticket will be answered by Thu 26 Nov 2026, 10:30 IST" in payload["body"]
    assert "closed now" not in payload["body"]
    # The rules' generic "created" mail is replaced by the acknowledgement: one mail, not two.
    assert Outbox.objects.filter(recipient="alice@acme.test").count() == 1
    row = InboundMail.objects.get()
    assert (row.status, row.ticket_id, row.acknowledged) == ("ticket", ticket.pk, True)
    assert kept(row) == raw


def test_after_hours_the_ack_says_we_are_closed_and_when(cast):
    mail_ingest(mail(subject="Refund report wrong"), source="cli", now=NIGHT)
    body = the_ack("alice@acme.test")["body"]
    assert (
        "We are closed now; your C3 ticket will be answered by Thu 26 Nov 2026, 18:00 IST" in body
    )


@pytest.mark.parametrize(
    ("subject", "priority"),
    [
        ("C1 store is down", "C1"),
        ("[c1] checkout broken", "C1"),
        ("URGENT: System Down", "C1"),
        ("c2: payments failing", "C2"),
        ("C4 - feature idea; also C2", "C2"),
        ("C10 shipping labels", "C3"),
        ("ABC1 product import", "C3"),
        ("c1ient list export", "C3"),
        ("our systems are down?", "C3"),
    ],
)
def test_priority_from_the_subject(cast, subject, priority):
    mail_ingest(mail(subject=subject), source="cli", now=OPEN)
    assert Ticket.objects.get().priority == priority


def test_c1_after_hours_pages_on_call_through_the_rules(cast):
    from helpline.outbox.models import OnCallOverride

    OnCallOverride.objects.create(
        user=cast.ravi, starts_at=NIGHT - timedelta(hours=2), ends_at=NIGHT + timedelta(hours=8)
    )
    mail_ingest(mail(subject="System down - C1"), source="cli", now=NIGHT)
    ticket = Ticket.objects.get()
    assert ticket.priority == "C1"
    assert Outbox.objects.filter(recipient="ravi@helpline.test", ticket=ticket).exists()
    assert Outbox.objects.filter(kind="c1_unanswered").exists()


def test_contact_default_store_and_domain_store(cast):
    merchants.contact_create(
        merchant=cast.acme, email="ops@partner.test", default_store=cast.acme_outlet, now=OPEN
    )
    merchants.contact_create(merchant=cast.acme, email="team@outlet.acme.test", now=OPEN)
    mail_ingest(mail(sender="Ops <OPS@partner.test>"), source="cli", now=OPEN)
    mail_ingest(mail(sender="team@outlet.acme.test"), source="cli", now=OPEN)
    first, second = Ticket.objects.order_by("pk")
    assert first.store_id == cast.acme_outlet.pk and first.requester_id is None
    assert second.store_id == cast.acme_outlet.pk  # by the store's domain
    assert not first.unverified_sender and not second.unverified_sender
    assert len(acks("ops@partner.test")) == 1  # a contact without a login is acknowledged too


def test_unknown_sender_flagged_on_the_store_at_their_domain_or_quarantined(cast):
    result = mail_ingest(mail(sender="someone@bolt.test"), source="cli", now=OPEN)
    ticket = Ticket.objects.get()
    assert result.outcome == "ticket" and ticket.unverified_sender
    assert ticket.store_id == cast.bolt_gadgets.pk
    assert after(TicketEvent.objects.get(ticket=ticket, kind="created"))["unverified_sender"]
    result = mail_ingest(mail(sender="who@elsewhere.test"), source="cli", now=OPEN)
    assert result.outcome == "quarantined"
    assert result.reason == "unknown sender; no store at elsewhere.test"
    with override_settings(MAIL_UNKNOWN_SENDERS="quarantine"):
        result = mail_ingest(mail(sender="other@bolt.test"), source="cli", now=OPEN)
    assert str(result) == "quarantined (unknown sender)"


def _sent_ack(to: str) -> email.message.EmailMessage:
    """Our acknowledgement rebuilt as the merchant's mail client sees it."""
    payload = acks(to)[-1].payload
    msg = email.message.EmailMessage()
    msg["From"] = "support@helpline.test"
    msg["Subject"] = payload["subject"]
    msg["Message-ID"] = payload["message_id"]
    if payload.get("references"):
        msg["References"] = payload["references"]
    msg.set_content(payload["body"])
    return msg


def test_reply_to_our_ack_joins_the_ticket_with_the_new_text_only(cast):
    mail_ingest(mail(), source="cli", now=OPEN)
    ticket = Ticket.objects.get()
    later = OPEN + timedelta(hours=1)
    result = mail_ingest(
        reply_to(_sent_ack("alice@acme.test"), sender="alice@acme.test", body="Still broken."),
        source="cli",
        now=later,
    )
    assert str(result) == f"reply {ticket.reference}"
    message = TicketMessage.objects.get(ticket=ticket)
    assert message.body == "Still broken."
    assert (message.channel, message.from_staff, message.author_id) == (
        "email",
        False,
        cast.alice.pk,
    )
    assert len(acks()) == 1  # replies are not acknowledged


def test_trusted_reply_from_a_stranger_posts_but_is_flagged(cast):
    mail_ingest(mail(), source="cli", now=OPEN)
    ticket = Ticket.objects.get()
    result = mail_ingest(
        reply_to(_sent_ack("alice@acme.test"), sender="colleague@gmail.test", body="Me too."),
        source="cli",
        now=OPEN + timedelta(minutes=5),
    )
    assert result.outcome == "reply"
    flag = TicketEvent.objects.get(ticket=ticket, kind="unverified_sender")
    assert after(flag)["from"] == "colleague@gmail.test" and not flag.public


def test_stranger_quoting_someone_elses_reference_gets_no_post_into_it(cast):
    mail_ingest(mail(), source="cli", now=OPEN)
    alices = Ticket.objects.get()
    # Bob (another merchant) and a stranger at Bolt's domain type Alice's reference.
    for sender in ("bob@bolt.test", "mallory@bolt.test"):
        result = mail_ingest(
            mail(sender=sender, subject=f"Re: [{alices.reference}] anything"),
            source="cli",
            now=OPEN,
        )
        assert result.outcome == "ticket" and result.reference != alices.reference
    assert not TicketMessage.objects.filter(ticket=alices).exists()
    # ... and quoting the Message-ID Alice sent us (one we received, not ours) does not either.
    alice_mid = InboundMail.objects.filter(ticket=alices).get().message_id
    result = mail_ingest(
        mail(sender="mallory@bolt.test", in_reply_to=f"<{alice_mid}>", subject="hi"),
        source="cli",
        now=OPEN,
    )
    assert result.reference != alices.reference
    assert not TicketMessage.objects.filter(ticket=alices).exists()


def test_contact_reference_in_subject_and_received_message_id_thread(cast):
    mail_ingest(mail(message_id="<first@mua.test>"), source="cli", now=OPEN)
    ticket = Ticket.objects.get()
    r1 = mail_ingest(
        mail(subject=f"More on {ticket.reference}", body="Screenshot attached."),
        source="cli",
        now=OPEN,
    )
    r2 = mail_ingest(
        mail(subject="also", body="And this.", references="<first@mua.test>"),
        source="cli",
        now=OPEN,
    )
    assert (r1.outcome, r1.reference, r2.outcome, r2.reference) == (
        "reply",
        ticket.reference,
        "reply",
        ticket.reference,
    )


def test_reply_tag_never_changes_priority_but_a_higher_one_is_recorded(cast):
    mail_ingest(mail(subject="Slow pages"), source="cli", now=OPEN)
    ticket = Ticket.objects.get()
    mail_ingest(mail(subject=f"Re: [{ticket.reference}] C1 now down"), source="cli", now=OPEN)
    mail_ingest(mail(subject=f"Re: [{ticket.reference}] C4"), source="cli", now=OPEN)
    ticket.refresh_from_db()
    assert ticket.priority == "C3"
    (asks,) = TicketEvent.objects.filter(ticket=ticket, kind="merchant_asks_priority")
    assert after(asks)["asked"] == "C1" and not asks.public


def test_reply_to_a_closed_ticket_opens_a_new_one_citing_it(cast):
    mail_ingest(mail(), source="cli", now=OPEN)
    old = Ticket.objects.get()
    tickets.ticket_withdraw(actor=cast.alice, ticket=old, now=OPEN)
    result = mail_ingest(mail(subject=f"Re: [{old.reference}] it is back"), source="cli", now=OPEN)
    new = Ticket.objects.exclude(pk=old.pk).get()
    assert result.outcome == "ticket" and result.reference == new.reference
    assert new.description.startswith(f"(Follow-up to {old.reference}, which is closed.)")
    assert after(TicketEvent.objects.get(ticket=new, kind="follow_up_of"))["ticket"] == old.pk


def test_same_message_id_twice_is_one_message(cast):
    raw = mail(message_id="<once@mua.test>")
    first = mail_ingest(raw, source="imap", now=OPEN)
    again = mail_ingest(raw, source="cli", now=OPEN)
    other_bytes = mail(message_id="<once@mua.test>", body="different copy")
    third = mail_ingest(other_bytes, source="http", now=OPEN)
    assert first.outcome == "ticket"
    assert again.duplicate and third.duplicate
    assert str(again) == f"ignored (duplicate: already received as ticket {first.reference})"
    assert Ticket.objects.count() == 1 and InboundMail.objects.count() == 1
    assert len(acks()) == 1


def test_out_of_office_answer_to_our_ack_is_ignored_and_not_answered(cast):
    mail_ingest(mail(), source="cli", now=OPEN)
    ack = _sent_ack("alice@acme.test")
    ooo = reply_to(
        ack,
        sender="alice@acme.test",
        subject=f"Automatic reply: {ack['Subject']}",
        body="I am out of the office until Monday.",
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    )
    result = mail_ingest(ooo, source="cli", now=OPEN + timedelta(minutes=1))
    assert result.outcome == "ignored" and "auto" in result.reason
    assert TicketMessage.objects.count() == 0
    assert len(acks()) == 1  # no answer to the answer: no loop


def test_robot_without_auto_headers_is_capped_per_hour(cast):
    with override_settings(MAIL_ACKS_PER_SENDER_PER_HOUR=3):
        for i in range(5):
            mail_ingest(
                mail(subject=f"Order {i} failed", body=f"robot {i}"),
                source="cli",
                now=OPEN + timedelta(minutes=i),
            )
        assert len(acks()) == 3
        mail_ingest(mail(subject="later"), source="cli", now=OPEN + timedelta(hours=2))
        assert len(acks()) == 4


def test_bounce_and_list_mail_open_nothing_and_send_nothing(cast):
    bounce = mail(
        sender="MAILER-DAEMON@acme.test",
        subject="Undelivered Mail Returned to Sender",
        headers={"Auto-Submitted": "auto-replied"},
    )
    listmail = mail(headers={"List-Id": "<news.acme.test>", "Precedence": "list"})
    for raw in (bounce, listmail):
        assert mail_ingest(raw, source="cli", now=OPEN).outcome == "ignored"
    assert Ticket.objects.count() == 0 and Outbox.objects.count() == 0


def test_our_own_address_is_never_answered(cast):
    result = mail_ingest(mail(sender="support@helpline.test"), source="cli", now=OPEN)
    assert str(result) == "ignored (mail from our own address (a loop))"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty message"),
        (b"   \r\n\r\n", "empty message"),
        (b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n" * 50, "no sender address"),
        (b"Subject: no from\r\n\r\nbody\r\n", "no sender address"),
    ],
)
def test_bad_input_is_quarantined_with_reason_and_kept(cast, raw, reason):
    result = mail_ingest(raw, source="cli", name="bad.eml", now=OPEN)
    assert result.outcome == "quarantined"
    assert result.reason.startswith(reason)
    row = InboundMail.objects.get()
    assert kept(row) == raw and row.raw_size == len(raw) and row.name == "bad.eml"
    assert Ticket.objects.count() == 0


def test_oversized_mail_is_quarantined_with_its_head_kept(cast):
    with override_settings(MAIL_MAX_BYTES=1000):
        result = mail_ingest(mail(body="x" * 5000), source="cli", now=OPEN)
    assert result.outcome == "quarantined" and "byte limit" in result.reason
    row = InboundMail.objects.get()
    assert row.raw_truncated and len(kept(row)) == 1000 and row.raw_size > 5000


def test_attachments_stored_and_oversized_one_refused_and_said_in_the_ack(cast, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    raw = mail(
        attachments=[
            ("screenshot.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 2000),
            ("../../etc/dump.bin", "application/octet-stream", b"1" * (2 * 1024 * 1024)),
        ]
    )
    result = mail_ingest(raw, source="cli", now=OPEN)
    ticket = Ticket.objects.get()
    (stored,) = Attachment.objects.filter(ticket=ticket)
    assert stored.filename == "screenshot.png" and stored.size == 2008
    assert stored.file.read().startswith(b"\x89PNG")
    assert "screenshot" not in stored.file.name  # stored under a random name
    assert result.refused == ("dump.bin (larger than 1 MB)",)
    body = the_ack("alice@acme.test")["body"]
    assert "not accepted" in body and "dump.bin (larger than 1 MB)" in body


def test_message_ids_of_everything_are_recorded(cast):
    mail_ingest(mail(message_id="<root@mua.test>"), source="cli", now=OPEN)
    ticket = Ticket.objects.get()
    ours = MessageId.objects.filter(ticket=ticket, outbound=True)
    assert MessageId.objects.filter(message_id="root@mua.test", outbound=False).exists()
    assert ours.count() == 1  # the acknowledgement's
    ack_id = acks()[0].payload["message_id"].strip("<>")
    assert ours.get().message_id == ack_id and len(ack_id.split("@")[0]) > 20


def test_quarantine_to_ticket_and_discard(cast):
    with override_settings(MAIL_UNKNOWN_SENDERS="quarantine"):
        a = mail_ingest(mail(sender="new@bolt.test"), source="cli", now=OPEN)
        b = mail_ingest(mail(sender="spam@nowhere.test"), source="cli", now=OPEN)
    assert acks() == []  # quarantine answers nobody
    ticket = quarantine_to_ticket(inbound_id=a.inbound_id or 0, actor=cast.ravi, now=OPEN)
    assert ticket.store_id == cast.bolt_gadgets.pk and ticket.unverified_sender
    # Now a ticket: the sender hears so, as any ticket by mail, threaded on their mail.
    (ack,) = acks("new@bolt.test")
    assert ticket.reference in ack.payload["subject"]
    assert InboundMail.objects.get(pk=a.inbound_id or 0).acknowledged
    ours = MessageId.objects.filter(ticket=ticket)
    assert {m.outbound for m in ours} == {True, False}
    row = quarantine_discard(inbound_id=b.inbound_id or 0, actor=cast.ravi, reason="spam", now=OPEN)
    assert row.status == Outcome.DISCARDED and kept(row)
    from helpline.core.errors import NotFound

    with pytest.raises(NotFound):
        quarantine_discard(inbound_id=b.inbound_id or 0, actor=cast.ravi, now=OPEN)


def test_quarantined_automatic_mail_made_a_ticket_is_not_answered(cast):
    raw = mail(sender="robot@bolt.test", headers={"Auto-Submitted": "auto-generated"})
    with override_settings(MAIL_UNKNOWN_SENDERS="quarantine", MAIL_MAX_BYTES=len(raw) - 1):
        held = mail_ingest(raw, source="cli", now=OPEN)  # too large: quarantined, not ignored
    assert held.outcome == "quarantined"
    ticket = quarantine_to_ticket(inbound_id=held.inbound_id or 0, actor=cast.ravi, now=OPEN)
    assert ticket.pk and acks() == []
    assert not InboundMail.objects.get(pk=held.inbound_id or 0).acknowledged


def test_nul_characters_never_reach_a_text_column(cast):
    # PostgreSQL refuses NUL in text: the record and the ticket get it replaced or dropped,
    # the raw bytes keep it.
    raw = mail(subject="Check out", body="x").replace(
        b"Subject: Check out", b"Subject: Check\x00out"
    )
    result = mail_ingest(raw, source="cli", now=OPEN)
    row = InboundMail.objects.get()
    assert result.outcome == "ticket"
    assert "\x00" not in row.subject and b"\x00" in kept(row)
    assert Ticket.objects.get().subject == "Checkout"
