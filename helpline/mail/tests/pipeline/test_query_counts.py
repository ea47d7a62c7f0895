"""How many queries one message costs (decision 0070): a new ticket and a reply, counted, so
the per-message work of ``mail_ingest`` cannot creep back up unnoticed."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.mail.models import InboundMail, MessageId
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail, reply_to
from helpline.outbox.models import Outbox
from helpline.tickets.models import TicketClock, TicketMessage

pytestmark = pytest.mark.django_db

OPEN = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # Wed 10:30 IST: business hours

# A new ticket: duplicate check, the sender (user, contact), the store, the policy and
# calendars (read once for the message), the ticket, its clock and event, webhook endpoints,
# preferences, the acknowledgement cap, the Message-IDs (ours and theirs, one INSERT), the
# outbox row, the mail record, the sender domain's rate limit (one upsert; decision 0126);
# savepoints and the transaction; routing's decision (no team set up here: the "unrouted"
# event and the admins' notice, +5, on the ticket in hand; decisions 0123, 0131, 0137 — the
# webhook endpoints are read once for the change, not again for routing's event: 0198).
NEW_TICKET = 27
# A reply: duplicate check, the sender, the thread, the ticket locked, its clocks, the message,
# the ticket's updated_at, the event, webhook endpoints, the Message-ID, the mail record;
# savepoints and the transaction. Running clocks a reply does not change are not rewritten, and
# the notify rules use the message in hand instead of reading it back.
REPLY = 20


def _listing(queries: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"][:160] for q in queries.captured_queries)


def _warm(cast) -> None:
    """One mail first: the policy version and the holiday years are cached per process, as
    they are after the first message of a real run."""
    mail_ingest(mail(sender="bob@bolt.test", subject="Warm up"), source="cli", now=OPEN)


def test_a_new_ticket_mail_costs_a_bounded_number_of_queries(cast):
    _warm(cast)
    MessageId.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        result = mail_ingest(mail(), source="cli", now=OPEN)
    assert result.outcome == "ticket"
    assert len(queries) == NEW_TICKET, _listing(queries)
    # What the one INSERT of Message-IDs holds: the mail's own and our acknowledgement's.
    assert sorted(MessageId.objects.values_list("outbound", flat=True)) == [False, True]
    assert Outbox.objects.filter(kind="mail_ack", recipient="alice@acme.test").count() == 1
    assert InboundMail.objects.get(from_address="alice@acme.test").acknowledged


def test_a_reply_mail_costs_a_bounded_number_of_queries(cast):
    _warm(cast)
    raw = mail()
    first = mail_ingest(raw, source="cli", now=OPEN)
    clocks_before = {
        c.pk: (c.deadline, c.consumed, c.segment_started_at)
        for c in TicketClock.objects.filter(superseded_at__isnull=True)
    }
    original = email.message_from_bytes(raw, policy=email.policy.default)
    answer = reply_to(original, sender="alice@acme.test", body="It works again, thanks.")
    with CaptureQueriesContext(connection) as queries:
        result = mail_ingest(answer, source="cli", now=OPEN + timedelta(minutes=5))
    assert (result.outcome, result.reference) == ("reply", first.reference)
    assert len(queries) == REPLY, _listing(queries)
    assert TicketMessage.objects.get().body.startswith("It works again")
    # The clocks a merchant's reply leaves running are as they were.
    assert {
        c.pk: (c.deadline, c.consumed, c.segment_started_at)
        for c in TicketClock.objects.filter(superseded_at__isnull=True)
    } == clocks_before
