"""Mail to the merchant's side of a ticket goes on the ticket's mail thread: our recorded
Message-ID (a reply quoting it joins the ticket), In-Reply-To/References to the mail that opened
a mail ticket, and for a staff reply the reply templates (a person writing, not a notice). On a
mail ticket, a correspondent who signs in nowhere (a contact, an unverified sender) gets staff
replies too. Automatic mail says ``Auto-Submitted: auto-generated``; a staff reply says nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from helpline.mail import threads
from helpline.outbox.channels.email import payload as email_payload
from helpline.outbox.services import Notification
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.events import EventKind
from helpline.tickets.models import Channel, Ticket, TicketMessage

REPLY_KIND = "mail_reply"


def on_thread(ticket: Any, *, channel: str, user_id: int) -> bool:
    """Is a mail on ``channel`` to ``user_id`` a mail to the ticket's requester (threaded)?"""
    return channel == "email" and bool(ticket.requester_id) and user_id == ticket.requester_id


def _staff_wrote(events: Sequence[Any]) -> bool:
    return any(
        e.kind == EventKind.MESSAGE
        and e.public
        and isinstance(e.after, dict)
        and e.after.get("from_staff")
        for e in events
    )


def _staff_reply(events: Sequence[Any]) -> TicketMessage | None:
    for event in events:
        after = event.after if isinstance(event.after, dict) else {}
        message_id = after.get("message_id")
        if event.kind == EventKind.MESSAGE and event.public and after.get("from_staff"):
            if not isinstance(message_id, int):
                return None
            return ticket_selectors.message_by_id(message_id)
    return None


class _Thread:
    """One change's mail on one ticket's thread: the Message-IDs minted, recorded at the end in
    one INSERT."""

    def __init__(self, ticket: Ticket, root: threads.Root | None, reply: TicketMessage | None):
        self.ticket, self.root, self.reply = ticket, root, reply
        self.minted: list[tuple[str, int]] = []

    def put(self, n: Notification) -> Notification:
        message_id = threads.new_message_id()
        self.minted.append((message_id, self.ticket.pk))
        root_id = self.root.message_id if self.root else ""
        payload = email_payload.threaded(n.payload, message_id=message_id, root=root_id)
        if self.reply is not None and self.ticket.channel == Channel.EMAIL:
            author = self.reply.author
            payload = email_payload.staff_reply(
                payload,
                reference=self.ticket.reference,
                subject=self.ticket.subject,
                body=self.reply.body,
                author=(author.get_full_name() or "Support") if author is not None else "Support",
                priority=self.ticket.priority,
                status=self.ticket.get_status_display().lower(),
            )
        return replace(n, payload=payload)

    def reply_to_root(self, events: Sequence[Any], addresses: set[str]) -> list[Notification]:
        """The staff reply to whoever wrote the opening mail, if no mail went to them."""
        root = self.root
        if root is None or self.reply is None or not root.address or root.address in addresses:
            return []
        event = next(e for e in events if e.kind == EventKind.MESSAGE)
        n = Notification(
            channel="email",
            kind=REPLY_KIND,
            recipient=root.address,
            payload={},
            idempotency_key=f"ev{event.pk}.mail.{root.address}"[:200],
            due_at=event.created_at,
            ticket_id=self.ticket.pk,
        )
        return [self.put(n)]


def thread(
    *, ticket: Ticket, events: Sequence[Any], notifications: list[Notification]
) -> list[Notification]:
    """``notifications`` with the merchant side's mail put on the ticket's thread (and, on a mail
    ticket, a staff reply to the opening mail's sender who has no account)."""
    merchant_mail = [
        n
        for n in notifications
        if n.recipient_user_id is not None
        and on_thread(ticket, channel=n.channel, user_id=n.recipient_user_id)
    ]
    mail_ticket = ticket.channel == Channel.EMAIL
    staff_wrote = _staff_wrote(events)
    if not merchant_mail and not (mail_ticket and staff_wrote):
        return notifications
    root = threads.root(ticket.pk) if mail_ticket else None
    on = _Thread(ticket, root, _staff_reply(events) if staff_wrote else None)
    out = [on.put(n) if n in merchant_mail else n for n in notifications]
    out += on.reply_to_root(events, {n.recipient.lower() for n in merchant_mail})
    if on.minted:
        now = max((e.created_at for e in events), default=None) or ticket.updated_at
        threads.record(on.minted, now=now)
    return out
