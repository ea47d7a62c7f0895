"""Issue 21 in mail: new tickets limited per sender domain (the rest quarantined, nothing lost);
control characters in a mail removed, not a reason to refuse it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpline.core import limits
from helpline.mail.models import InboundMail, Outcome
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail
from helpline.tickets.models import Ticket

OPEN = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def test_new_tickets_from_one_sender_domain_are_limited_and_the_rest_quarantined(cast, settings):
    settings.RATE_LIMITS = {"mail.domain": 3}
    results = [
        mail_ingest(mail(subject=f"Problem {i}"), source="cli", now=OPEN + timedelta(seconds=i))
        for i in range(5)
    ]
    assert [r.outcome for r in results] == ["ticket"] * 3 + [Outcome.QUARANTINED] * 2
    held = InboundMail.objects.filter(status=Outcome.QUARANTINED)
    assert held.count() == 2
    assert all("too many new tickets from acme.test" in row.reason for row in held)
    # Replies to a ticket are not new tickets; the next hour lets new ones in again.
    later = mail_ingest(mail(subject="Another"), source="cli", now=OPEN + timedelta(hours=1))
    assert later.outcome == "ticket" and Ticket.objects.count() == 4
    assert limits.MAIL_DOMAIN.count == 120


def test_control_characters_in_a_mail_are_removed_not_refused(cast):
    result = mail_ingest(
        mail(subject="Checkout\x07 broken", body="Page\x0c two\x1b fails\n"),
        source="cli",
        now=OPEN,
    )
    assert result.outcome == "ticket"
    ticket = Ticket.objects.get()
    assert ticket.subject == "Checkout broken"
    assert "Page two fails" in ticket.description


def test_staff_make_a_ticket_of_mail_held_by_the_domain_limit(cast, settings):
    # It raised RuntimeError("no ticket made"): the vouched mail met the same limit again.
    from helpline.mail.quarantine import quarantine_to_ticket

    settings.RATE_LIMITS = {"mail.domain": 1}
    mail_ingest(mail(subject="First"), source="cli", now=OPEN)
    held = mail_ingest(mail(subject="Second"), source="cli", now=OPEN)
    assert held.outcome == Outcome.QUARANTINED and held.inbound_id is not None
    ticket = quarantine_to_ticket(inbound_id=held.inbound_id, actor=cast.ravi, now=OPEN)
    assert ticket.subject == "Second" and Ticket.objects.count() == 2
    assert InboundMail.objects.get(pk=held.inbound_id).status == Outcome.TICKET
