"""The acknowledgement of a new mail ticket: the one answer to the mail that opened a ticket
(the rules send no "created" mail to the requester of a mail ticket; see ``rules``).

The mail service hands every mail that opened a ticket to ``mail_ticket_opened`` (through
``mail.listeners``, inside its transaction); this decides whether the sender is answered —
never automatic mail, at most ``MAIL_ACKS_PER_SENDER_PER_HOUR`` a sender (two robots answering
each other stop here even if neither marks its mail automatic) — and writes the answer to the
outbox: threaded on the merchant's mail, saying the reference, the priority, when the first
answer is due in the merchant's zone and which attachments were refused. Its Message-ID is
minted here, once, and returned for the mail service to record with the incoming mail's.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings

from helpline.core import display
from helpline.mail import selectors as mail_selectors
from helpline.mail import threads
from helpline.mail.listeners import Opened
from helpline.monitoring import storm
from helpline.notifications import paging, words
from helpline.outbox import services as outbox
from helpline.outbox.channels.email import payload as email_payload
from helpline.outbox.models import Priority
from helpline.sla.defaults import FIRST_RESPONSE
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.models import Ticket

KIND = "mail_ack"


def _first_response_due(ticket: Ticket) -> datetime | None:
    clk = ticket_selectors.current_clock(ticket, FIRST_RESPONSE)
    return clk.deadline if clk is not None else None


def _wanted(opened: Opened) -> bool:
    """Never to automatic mail; within the sender's hourly share — a C1's own share
    (``MAIL_C1_ACKS_PER_SENDER_PER_HOUR``) beside the general one. (A C1 over its cap is not
    answered, but its paging does not depend on the answer.)"""
    if opened.automatic or "@" not in opened.sender:
        return False
    since = opened.now - timedelta(hours=1)
    c1 = opened.ticket.priority == "C1"
    sent = mail_selectors.acknowledged_since(opened.sender, since, c1=c1)
    cap = (
        settings.MAIL_C1_ACKS_PER_SENDER_PER_HOUR if c1 else settings.MAIL_ACKS_PER_SENDER_PER_HOUR
    )
    return sent < cap


def mail_ticket_opened(opened: Opened) -> str | None:
    """Acknowledge the mail that opened ``opened.ticket`` (inside the mail's transaction);
    returns the acknowledgement's Message-ID, or None when it is not sent."""
    if not _wanted(opened):
        return None
    ticket, now = opened.ticket, opened.now
    due = _first_response_due(ticket)
    incident = words.platform_incident(ticket)  # linked as it opened: the answer names it
    message_id = threads.new_message_id()
    outbox.enqueue(
        channel="email",
        kind=KIND,
        recipient=opened.sender,
        payload=email_payload.acknowledgement(
            reference=ticket.reference,
            subject=ticket.subject,
            priority=ticket.priority,
            due=display.when(due, ticket.merchant.time_zone, missing="as soon as we can"),
            closed_now=ticket.priority != "C1" and paging.after_hours(ticket, now),
            refused=opened.refused,
            message_id=message_id,
            in_reply_to=opened.message_id,
            references=threads.bracket([*opened.references, opened.message_id]),
            incident=str(incident["title"]) if incident is not None else "",
            status_url=storm.status_url() if incident is not None else "",
        ),
        idempotency_key=f"mail.ack.{hashlib.sha256(opened.inbound_key.encode()).hexdigest()[:40]}",
        ticket_id=ticket.pk,
        now=now,
        priority=Priority.URGENT,  # the merchant waits for it (decision 0190)
    )
    return message_id
