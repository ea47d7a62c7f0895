"""A C1 is never swallowed (docs/policy.md, Channels): an unverified or unknown sender's C1 pages
the on-call (once an hour per sender domain), C1 acknowledgements have their own cap and a C1
over it still pages, and a reply asking for more tells the assignee and the team lead. Pages
are read back from a real SMTP server on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.test import override_settings

from helpline import worker
from helpline.mail.models import InboundMail
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail, reply_to
from helpline.outbox.models import OnCallShift, Outbox
from helpline.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
NIGHT = datetime(2026, 12, 5, 20, 30, tzinfo=UTC)  # Sunday 6 Dec 02:00 IST
OPEN = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # Wed 10:30 IST


@pytest.fixture
def on_call(cast):
    """Ravi covers Saturday 18:00 to Sunday 10:00 IST."""
    OnCallShift.objects.create(user=cast.ravi, weekday=5, start=time(18), end=time(10))
    return cast.ravi


def pages() -> list[Outbox]:
    return list(Outbox.objects.filter(kind="c1_unverified", channel="email").order_by("pk"))


def test_an_unverified_c1_opens_at_c3_asks_for_c1_and_pages_the_on_call(cast, on_call, smtp):
    raw = mail(sender="stranger@bolt.test", subject="C1 checkout is down", date=NIGHT)
    result = mail_ingest(raw, source="imap", now=NIGHT)
    ticket = Ticket.objects.get()
    assert result.outcome == "ticket" and ticket.unverified_sender
    assert ticket.priority == "C3"
    asks = TicketEvent.objects.get(ticket=ticket, kind="merchant_asks_priority")
    assert asks.after == {"asked": "C1", "current": "C3", "message_id": None}
    assert not asks.public
    (page,) = pages()
    assert page.recipient == "ravi@helpline.test" and page.ticket_id == ticket.pk
    worker.run_once(now=NIGHT + timedelta(seconds=1))
    sent = [m for m in smtp.messages if m["To"] == "ravi@helpline.test"]
    assert any(m["Subject"].startswith("Unverified C1 request") for m in sent)
    body = next(m for m in sent if "Unverified" in m["Subject"]).get_body(("plain",))
    assert "stranger@bolt.test" in body.get_content()


def test_fifty_forged_c1_mails_from_one_domain_page_once_an_hour(cast, on_call):
    for n in range(50):
        at = NIGHT + timedelta(minutes=n)
        mail_ingest(mail(sender=f"f{n}@bolt.test", subject="SYSTEM DOWN"), source="cli", now=at)
    assert Ticket.objects.filter(priority="C3").count() == 50  # nothing lost, none a C1
    assert len(pages()) == 1
    assert InboundMail.objects.filter(paged=True).count() == 1
    later = NIGHT + timedelta(minutes=61)  # an hour after the first page: one more
    mail_ingest(mail(sender="again@bolt.test", subject="C1"), source="cli", now=later)
    mail_ingest(mail(sender="x@elsewhere.test", subject="C1"), source="cli", now=later)
    assert len(pages()) == 3  # bolt.test once more; elsewhere.test (quarantined) its own


def test_a_quarantined_c1_from_the_owners_gmail_pages_the_on_call(cast, on_call):
    raw = mail(sender="owner.acme@gmail.com", subject="System Down!!", date=NIGHT)
    result = mail_ingest(raw, source="imap", now=NIGHT)
    assert result.outcome == "quarantined"
    (page,) = pages()
    assert page.recipient == "ravi@helpline.test" and page.ticket_id is None
    assert "quarantined" in page.payload["body"] and "owner.acme@gmail.com" in page.payload["body"]
    with override_settings(MAIL_UNKNOWN_SENDERS="quarantine"):
        later = NIGHT + timedelta(hours=2)
        result = mail_ingest(mail(sender="who@bolt.test", subject="c1"), source="cli", now=later)
        mail_ingest(mail(sender="two@bolt.test", subject="c1"), source="cli", now=later)
        mail_ingest(mail(sender="who@bolt.test", subject="C3 only"), source="cli", now=later)
    assert str(result) == "quarantined (unknown sender)"
    assert len(pages()) == 2  # gmail.com, then bolt.test once; a C3 pages nobody


def test_with_nobody_on_call_the_page_goes_to_the_leads(cast):
    mail_ingest(mail(sender="owner.acme@gmail.com", subject="C1"), source="cli", now=NIGHT)
    assert [p.recipient for p in pages()] == ["lena@helpline.test"]


def test_c1_acknowledgements_have_their_own_cap_and_a_c1_over_it_still_pages(cast, on_call):
    for n in range(6):  # the general cap (5) is used up by C3 mail
        mail_ingest(mail(subject=f"question {n}"), source="cli", now=NIGHT)
    for n in range(21):
        mail_ingest(mail(subject=f"C1 store down {n}"), source="cli", now=NIGHT)
    c1 = Ticket.objects.filter(priority="C1")
    assert c1.count() == 21
    acks = InboundMail.objects.filter(acknowledged=True)
    assert acks.filter(priority="C3").count() == 5
    assert acks.filter(priority="C1").count() == 20  # its own cap, beside the general one
    paged = Outbox.objects.filter(ticket__in=c1, recipient="ravi@helpline.test", channel="email")
    assert paged.values("ticket_id").distinct().count() == 21  # the 21st pages all the same
    with override_settings(MAIL_C1_ACKS_PER_SENDER_PER_HOUR=1):
        later = NIGHT + timedelta(hours=2)
        mail_ingest(mail(subject="C1 again"), source="cli", now=later)
        mail_ingest(mail(subject="C1 and again"), source="cli", now=later)
    assert acks.filter(priority="C1").count() == 21


def test_a_higher_tag_in_a_reply_tells_the_assignee_and_the_lead(cast, smtp):
    import email as email_lib

    raw = mail(message_id="<q1@mua.test>", subject="Images missing")
    mail_ingest(raw, source="cli", now=OPEN)
    ticket = Ticket.objects.get()
    cast.triage(ticket, team=cast.team, at=OPEN + timedelta(minutes=5))
    original = email_lib.message_from_bytes(raw, policy=email_lib.policy.default)
    again = reply_to(
        original, sender="alice@acme.test", body="Now nothing sells", subject="Re: C1 images"
    )
    mail_ingest(again, source="cli", now=OPEN + timedelta(hours=1))
    asks = TicketEvent.objects.get(ticket=ticket, kind="merchant_asks_priority")
    assert isinstance(asks.after, dict)
    assert asks.after == {"asked": "C1", "current": "C3", "message_id": asks.after["message_id"]}
    told = Outbox.objects.filter(idempotency_key__startswith=f"ev{asks.pk}.email")
    assert sorted(told.values_list("recipient", flat=True)) == [
        "lena@helpline.test",
        "ravi@helpline.test",
    ]
    body = told.values_list("payload", flat=True)[0]["body"]
    assert "merchant asks for c1 (the ticket is c3)" in body.lower()
    assert "the merchant asks for C1 in the subject of a reply" in body
    ticket.refresh_from_db()
    assert ticket.priority == "C3"  # a tag in a reply never changes the priority
