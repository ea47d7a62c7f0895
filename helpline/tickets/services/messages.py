"""Messages on a ticket: replies, questions and notes (``ticket_reply``), the system's own notes
(``ticket_system_note``), and internal events that change no field (``ticket_record``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from helpline.accounts.models import User
from helpline.core import clock
from helpline.core.errors import Forbidden, InvalidInput
from helpline.core.prepared import insert
from helpline.sla.defaults import FIRST_RESPONSE
from helpline.tickets import events as kinds
from helpline.tickets import lifecycle
from helpline.tickets.attachments import Upload, attachments_store
from helpline.tickets.events import EventSpec
from helpline.tickets.models import Channel, MessageKind, Status, Ticket, TicketMessage
from helpline.tickets.services.change import TicketChange, lock_ticket, write_events
from helpline.tickets.services.checks import BODY_MAX, capacity_or_404, refuse_closed, text


def add_message(
    change: TicketChange,
    *,
    body: str,
    kind: str = MessageKind.REPLY,
    internal: bool = False,
    question: bool = False,
    from_staff: bool,
    channel: str,
) -> TicketMessage:
    """Post a message as part of ``change``; a public staff message meets the first response
    (a system message — an engineering ETA, say — meets no target)."""
    message = TicketMessage(
        ticket=change.ticket,
        author=change.actor,
        kind=kind,
        body=body,
        internal=internal,
        question=question,
        from_staff=from_staff,
        channel=channel,
        created_at=change.now,
    )
    insert([message])
    change.add(kinds.note(message) if internal else kinds.message(message))
    if from_staff and not internal and kind != MessageKind.SYSTEM:
        change.meet(FIRST_RESPONSE)
    return message


def _reply_capacity(
    actor: User | None, ticket: Ticket, *, as_merchant: bool, internal: bool, question: bool
) -> str:
    cap = "merchant" if actor is None and as_merchant else capacity_or_404(actor, ticket)
    if cap == "merchant" and (internal or question):
        raise Forbidden("merchants post public messages only", code="action_forbidden")
    if cap == "engineer" and not internal:
        raise Forbidden("engineers post internal notes only", code="action_forbidden")
    if internal and question:
        raise InvalidInput("an internal note cannot be a question to the merchant", code="invalid")
    refuse_closed(ticket, "posting")
    if question:
        lifecycle.check("ask", capacity=cap, status=ticket.status, priority=ticket.priority)
    return cap


def _after_reply(change: TicketChange, *, cap: str, question: bool) -> None:
    """A question waits on the merchant; a merchant's message takes a waiting ticket back in
    progress and reopens a resolved one."""
    status = change.ticket.status
    if question:
        change.set_status(Status.WAITING_ON_MERCHANT, reason="question to the merchant")
    elif cap == "merchant":
        if status == Status.WAITING_ON_MERCHANT:
            change.set_status(Status.IN_PROGRESS, reason="the merchant replied")
        elif status == Status.RESOLVED:
            change.reopen(reason="the merchant replied")


def ticket_reply(
    *,
    actor: User | None,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    question: bool = False,
    channel: str = Channel.API,
    now: datetime | None = None,
    as_merchant: bool = False,
    files: Sequence[Upload] = (),
) -> TicketMessage:
    """Post a message: a public reply (maybe a question), or an internal note (staff).
    ``as_merchant`` with no actor: the merchant's side writing by mail from an address that
    signs in nowhere (a contact, or a sender the mail service flags for staff)."""
    now = now or clock.now()
    body = text(body, "body", BODY_MAX)
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        cap = _reply_capacity(
            actor, ticket, as_merchant=as_merchant, internal=internal, question=question
        )
        change = TicketChange(ticket, actor, now)
        change.record_passed()
        message = add_message(
            change,
            body=body,
            kind=MessageKind.NOTE if internal else MessageKind.REPLY,
            internal=internal,
            question=question,
            from_staff=cap != "merchant",
            channel=channel,
        )
        _after_reply(change, cap=cap, question=question)
        change.save()
        _stored, refused = attachments_store(ticket=ticket, message=message, files=files, now=now)
        message.refused_files = refused  # type: ignore[attr-defined]
    return message


def ticket_incident_update(
    *, ticket: Ticket, body: str, now: datetime | None = None
) -> TicketMessage | None:
    """Support's public update on a ticket linked to a platform incident (posted by the system
    when the incident resolves): a public reply from support, so it meets a pending first
    response like any (decision 0141). A closed ticket gets none (None)."""
    now = now or clock.now()
    body = text(body, "body", BODY_MAX)
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if ticket.status == Status.CLOSED:
            return None
        change = TicketChange(ticket, None, now)
        change.record_passed()
        message = add_message(change, body=body, from_staff=True, channel=Channel.STAFF)
        change.save()
    return message


def ticket_record(*, ticket: Ticket, event: EventSpec, now: datetime | None = None) -> None:
    """An internal event for staff that changes no field (mail: "merchant asks for C1", "reply
    from an address that is no contact of this merchant"), built with ``tickets.events``."""
    if event.at is None:
        event.at = now or clock.now()
    with transaction.atomic():
        write_events(ticket, None, [event])


def ticket_system_note(
    *, ticket: Ticket, body: str, public: bool = True, now: datetime | None = None
) -> TicketMessage:
    """A message from the store monitor ("down again", "reachable again"), with a ``monitor``
    event. It meets no target and changes no state: staff still answer and resolve."""
    now = now or clock.now()
    body = text(body, "body", BODY_MAX)
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        refuse_closed(ticket, "posting")
        change = TicketChange(ticket, None, now)
        change.record_passed()
        message = TicketMessage.objects.create(
            ticket=change.ticket,
            kind=MessageKind.SYSTEM,
            body=body,
            internal=not public,
            channel=Channel.MONITOR,
            created_at=now,
        )
        change.add(kinds.monitor(message_id=message.pk, public=public))
        change.save()
    return message
