"""Mail out, through the outbox: the acknowledgement of a mail ticket, and threading for every
mail the notify rules send about a ticket.

Every Message-ID we put on a mail about a ticket is ours (``hl.<random>@<our domain>``, 144
random bits) and recorded in ``MessageId`` before the mail leaves, so a reply quoting it joins
the ticket (trusted: nobody can guess one). Mail to the merchant's side carries In-Reply-To and
References to the mail that opened the ticket and the reference in the subject. Automatic mail
says ``Auto-Submitted: auto-replied`` (an acknowledgement) or ``auto-generated`` (a
notification); a staff member's reply is a person writing and says neither.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.template.loader import render_to_string

from helpline.core.prepared import insert
from helpline.mail.models import InboundMail, MessageId, Outcome
from helpline.notify import services as notify
from helpline.notify.services import Notification
from helpline.sla.defaults import FIRST_RESPONSE
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.events import EventKind
from helpline.tickets.models import Channel, Ticket, TicketMessage

ACK_KIND = "mail_ack"
REPLY_KIND = "mail_reply"


def _domain() -> str:
    return parseaddr(settings.SUPPORT_ADDRESS)[1].rsplit("@", 1)[-1].lower() or "helpline.invalid"


def new_message_id() -> str:
    """One of ours, without <>: unguessable, so a reply quoting it is trusted."""
    return f"hl.{secrets.token_urlsafe(18)}@{_domain()}"


def _bracket(ids: Sequence[str | None]) -> str:
    return " ".join(f"<{i}>" for i in dict.fromkeys(i for i in ids if i))


def _record(
    ids: Sequence[tuple[str, int]], *, now: datetime, received: Sequence[MessageId] = ()
) -> None:
    """Our Message-IDs (and ``received`` ones the caller has to record too: one INSERT)."""
    insert(  # compiled once (decision 0080)
        [
            *received,
            *(
                MessageId(
                    message_id=mid.strip("<>"), ticket_id=ticket_id, outbound=True, created_at=now
                )
                for mid, ticket_id in ids
            ),
        ],
        ignore_conflicts=True,
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE_DISPLAY)


def local(at: datetime, zone: str) -> str:
    """ "Tue 24 Nov 11:00 IST": how the merchant reads an instant."""
    return at.astimezone(_zone(zone)).strftime("%a %d %b %H:%M %Z")


def _first_response_due(ticket: Ticket) -> datetime | None:
    clk = ticket_selectors.current_clock(ticket, FIRST_RESPONSE)
    return clk.deadline if clk is not None else None


def acknowledgement_enqueue(
    *,
    ticket: Ticket,
    recipient: str,
    in_reply_to: str | None,
    references: Sequence[str],
    refused: Sequence[str],
    inbound_key: str,
    now: datetime,
    received: Sequence[MessageId] = (),
) -> None:
    """The acknowledgement of a new mail ticket: reference, priority, when the first answer is
    due in the merchant's zone, what attachments were refused. Inside the caller's transaction.
    ``received``: the incoming mail's Message-ID rows, written with the acknowledgement's."""
    from helpline.notify.rules import after_hours

    due = _first_response_due(ticket)
    zone = ticket.merchant.time_zone
    context = {
        "reference": ticket.reference,
        "priority": ticket.priority,
        "due": local(due, zone) if due is not None else "as soon as we can",
        "closed_now": ticket.priority != "C1" and after_hours(ticket, now),
        "refused": list(refused),
    }
    message_id = new_message_id()
    _record([(message_id, ticket.pk)], now=now, received=received)
    notify.enqueue(
        channel="email",
        kind=ACK_KIND,
        recipient=recipient,
        payload={
            "subject": f"[{ticket.reference}] Received: {ticket.subject}"[:250],
            "body": render_to_string("mail/ack.txt", context),
            "html": render_to_string("mail/ack.html", context),
            "message_id": f"<{message_id}>",
            "in_reply_to": f"<{in_reply_to}>" if in_reply_to else "",
            "references": _bracket([*references, in_reply_to]),
            "auto_submitted": "auto-replied",
        },
        idempotency_key=f"mail.ack.{hashlib.sha256(inbound_key.encode()).hexdigest()[:40]}",
        ticket_id=ticket.pk,
        now=now,
    )


@dataclass(frozen=True)
class _Root:
    address: str
    message_id: str


def _root(ticket: Ticket) -> _Root | None:
    row = (
        InboundMail.objects.filter(ticket_id=ticket.pk, status=Outcome.TICKET)
        .order_by("pk")
        .values_list("from_address", "message_id")
        .first()
    )
    if row is None:
        return None
    address, message_id = row
    return _Root(address, "" if message_id.startswith("sha256:") else message_id)


def _staff_reply(events: Sequence[Any]) -> TicketMessage | None:
    for event in events:
        after = event.after if isinstance(event.after, dict) else {}
        message_id = after.get("message_id")
        if event.kind == EventKind.MESSAGE and event.public and after.get("from_staff"):
            if not isinstance(message_id, int):
                return None
            return ticket_selectors.message_by_id(message_id)
    return None


def _reply_payload(ticket: Ticket, message: TicketMessage, base: dict[str, Any]) -> dict[str, Any]:
    author = message.author
    context = {
        "body": message.body,
        "author": (author.get_full_name() or "Support") if author is not None else "Support",
        "reference": ticket.reference,
        "priority": ticket.priority,
        "status": ticket.get_status_display().lower(),
    }
    return {
        **base,
        "subject": f"Re: [{ticket.reference}] {ticket.subject}"[:250],
        "body": render_to_string("mail/reply.txt", context),
        "html": render_to_string("mail/reply.html", context),
        "auto_submitted": "",
    }


def thread(
    *, ticket: Ticket, events: Sequence[Any], notifications: list[Notification]
) -> list[Notification]:
    """Called by ``notify.rules`` for every ticket change: the merchant side's mail gets our
    recorded Message-ID, In-Reply-To/References and (for a staff reply) the reply templates; on
    a mail ticket the mail service has acknowledged the ticket already, and a correspondent who
    signs in nowhere (a contact, an unverified sender) gets staff replies too."""
    requester = ticket.requester_id
    merchant_mail = [
        n
        for n in notifications
        if n.channel == "email" and requester and n.recipient_user_id == requester
    ]
    mail_ticket = ticket.channel == Channel.EMAIL
    if not merchant_mail and not mail_ticket:
        return notifications
    staff_wrote = any(
        e.kind == EventKind.MESSAGE
        and e.public
        and isinstance(e.after, dict)
        and e.after.get("from_staff")
        for e in events
    )
    if mail_ticket and not staff_wrote and all(n.kind == EventKind.CREATED for n in merchant_mail):
        # A new mail ticket: the mail service acknowledges it (no query needed here).
        return [n for n in notifications if n not in merchant_mail]
    root = _root(ticket) if mail_ticket else None
    reply = _staff_reply(events) if staff_wrote else None
    now = max((e.created_at for e in events), default=None) or ticket.updated_at
    out: list[Notification] = []
    recorded: list[tuple[str, int]] = []

    def threaded(n: Notification) -> Notification:
        message_id = new_message_id()
        recorded.append((message_id, ticket.pk))
        payload = {
            **n.payload,
            "message_id": f"<{message_id}>",
            "in_reply_to": f"<{root.message_id}>" if root and root.message_id else "",
            "references": _bracket([root.message_id if root else None]),
        }
        if reply is not None and mail_ticket:
            payload = _reply_payload(ticket, reply, payload)
        return replace(n, payload=payload)

    for n in notifications:
        if n in merchant_mail:
            if mail_ticket and n.kind == EventKind.CREATED:
                continue  # the mail service acknowledges it (threaded, capped per sender)
            n = threaded(n)
        out.append(n)
    addresses = {n.recipient.lower() for n in merchant_mail}
    if root is not None and reply is not None and root.address and root.address not in addresses:
        event = next(e for e in events if e.kind == EventKind.MESSAGE)
        out.append(
            threaded(
                Notification(
                    channel="email",
                    kind=REPLY_KIND,
                    recipient=root.address,
                    payload={},
                    idempotency_key=f"ev{event.pk}.mail.{root.address}"[:200],
                    due_at=event.created_at,
                    ticket_id=ticket.pk,
                )
            )
        )
    if recorded:
        _record(recorded, now=now)
    return out
