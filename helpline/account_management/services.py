"""Account management writes: call requests, the contact log (calls, email, WhatsApp,
meetings and training with invitations), the account manager's sheet notes and "tell the
merchant" tasks. One service per action, keyword-only, one transaction; mail and WhatsApp go
through the outbox in the same transaction.

Who: a store's account manager, or agents and admins standing in (``access.manages_store``); a
merchant user asks for calls. Unknown or unseen stores are 404, a role that may not do it 403.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction

from helpline.account_management import ics
from helpline.account_management.models import AmTask, CallRequest, ContactLogEntry, SheetNote
from helpline.accounts import access
from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import Role, User
from helpline.core import clock, display
from helpline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpline.core.validation import bounded_instant, has_control, has_nul
from helpline.merchants.models import Store
from helpline.outbox import services as outbox
from helpline.outbox.channels.email import payload as email_payload
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.events import EventKind
from helpline.tickets.models import Ticket, TicketEvent

TEXT_MAX = 10_000
MEETING_MAX = timedelta(hours=12)
MEETINGS = (ContactLogEntry.Channel.MEETING, ContactLogEntry.Channel.TRAINING)


def _text(value: str | None, name: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if has_control(value):
        raise InvalidInput(
            f"{name} must not contain control characters (NUL, …)", code="invalid_text"
        )
    if required and not value:
        raise InvalidInput(f"{name} must not be empty", code=f"{name}_required")
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters", code=f"{name}_too_long")
    return value


def _instant(value: datetime, name: str) -> datetime:
    try:
        clock.ensure_aware(value, name=name)
        return bounded_instant(value)
    except ValueError as exc:
        raise InvalidInput(f"{name} {exc}", code=f"invalid_{name}") from None


def check_manages(actor: User | None, store: Store) -> None:
    """404 for a store the actor may not see, 403 for one they see but do not manage."""
    if not access.may_file_for(actor, store):
        raise NotFound("store not found")
    if not access.manages_store(actor, store):
        raise Forbidden(
            "only the store's account manager (or support staff) may do this",
            code="action_forbidden",
        )


def _store_tickets(store: Store, ticket_ids: Iterable[int]) -> list[Ticket]:
    ids = sorted({int(i) for i in ticket_ids})
    if not ids:
        return []
    found = ticket_selectors.tickets_of_store(store.pk, ids)
    missing = sorted(set(ids) - {t.pk for t in found})
    if missing:
        raise InvalidInput(
            f"not tickets of {store.name}: {', '.join(f'HL-{i}' for i in missing)}",
            code="invalid_tickets",
        )
    return found


# ---------------------------------------------------------------- call requests


def call_request_create(
    *,
    actor: User,
    store: Store,
    preferred_times: str,
    topic: str = "",
    now: datetime | None = None,
) -> CallRequest:
    """A merchant asks the store's account manager for a call; it lands on their list and they
    hear of it by mail."""
    now = now or clock.now()
    if not access.may_file_for(actor, store):
        raise NotFound("store not found")
    if actor.role != Role.MERCHANT:
        raise Forbidden("merchant users ask for calls", code="action_forbidden")
    preferred_times = _text(preferred_times, "preferred_times", limit=2000)
    topic = _text(topic, "topic", required=False, limit=TEXT_MAX)
    manager = store.account_manager
    if manager is None:
        raise Conflict(
            f"{store.name} has no account manager: account-manager support is an add-on",
            code="no_account_manager",
        )
    with transaction.atomic():
        request = CallRequest.objects.create(
            store=store,
            requested_by=actor,
            preferred_times=preferred_times,
            topic=topic,
            created_at=now,
        )
        if manager.is_active:
            outbox.enqueue(
                channel="email",
                kind="call_request",
                recipient=manager.email,
                recipient_user_id=manager.pk,
                payload=email_payload.plain(
                    subject=f"{store.name}: {actor} asks for a call",
                    body="\n".join(
                        [
                            f"{actor} ({actor.email}) asks for a call about {store.name}.",
                            "",
                            f"Preferred times: {preferred_times}",
                            *([f"Topic: {topic}"] if topic else []),
                            "",
                            "— Helpline",
                        ]
                    ),
                ),
                idempotency_key=f"callreq{request.pk}.email.u{manager.pk}",
                now=now,
            )
    return request


def call_request_cancel(
    *, actor: User, call_request: CallRequest, now: datetime | None = None
) -> CallRequest:
    """The merchant withdraws their own store's call request while it is open or scheduled; it
    leaves the account manager's to-do (no mail: nothing is asked of them any more)."""
    now = now or clock.now()
    if not access.may_file_for(actor, call_request.store):
        raise NotFound("call request not found")
    if actor.role != Role.MERCHANT:
        raise Forbidden("merchant users cancel their call requests", code="action_forbidden")
    with transaction.atomic():
        locked = CallRequest.objects.select_for_update().get(pk=call_request.pk)
        if locked.status not in (CallRequest.Status.OPEN, CallRequest.Status.SCHEDULED):
            raise Conflict(
                f"this call request is already {locked.get_status_display().lower()}",
                code="call_request_closed",
            )
        locked.status = CallRequest.Status.CANCELLED
        locked.handled_at = now
        locked.save(update_fields=["status", "handled_at"])
    return locked


def call_request_set_status(
    *, actor: User, call_request: CallRequest, status: str, now: datetime | None = None
) -> CallRequest:
    now = now or clock.now()
    check_manages(actor, call_request.store)
    if status not in CallRequest.Status.values or status == CallRequest.Status.OPEN:
        raise InvalidInput("status is one of: scheduled, done, cancelled", code="invalid_status")
    with transaction.atomic():
        call_request.status = status
        call_request.handled_at = now
        call_request.save(update_fields=["status", "handled_at"])
    return call_request


# ---------------------------------------------------------------- the contact log


def _entry(
    *,
    actor: User,
    store: Store,
    channel: str,
    happened_at: datetime,
    summary: str,
    tickets: Sequence[Ticket],
    now: datetime,
    sent: bool = False,
    recipients: Sequence[str] = (),
    ends_at: datetime | None = None,
    link: str = "",
    call_request_id: int | None = None,
) -> ContactLogEntry:
    entry = ContactLogEntry.objects.create(
        store=store,
        merchant_id=store.merchant_id,
        author=actor,
        channel=channel,
        happened_at=happened_at,
        summary=summary,
        sent=sent,
        recipients=list(recipients),
        ends_at=ends_at,
        link=link,
        created_at=now,
    )
    if tickets:
        entry.tickets.set(tickets)
        # "Tell the merchant" is done by the contact that told them.
        AmTask.objects.filter(
            store=store,
            ticket__in=tickets,
            kind=AmTask.Kind.TELL_MERCHANT,
            done_at__isnull=True,
        ).update(done_at=now, done_by=actor, entry=entry)
    if call_request_id is not None:
        updated = CallRequest.objects.filter(
            pk=call_request_id, store=store, status__in=["open", "scheduled"]
        ).update(
            status=CallRequest.Status.SCHEDULED
            if channel in MEETINGS and happened_at > now
            else CallRequest.Status.DONE,
            handled_at=now,
            entry=entry,
        )
        if not updated:
            raise InvalidInput(
                f"no open call request {call_request_id} for {store.name}",
                code="invalid_call_request",
            )
    return entry


def contact_log(
    *,
    actor: User,
    store: Store,
    channel: str,
    summary: str,
    happened_at: datetime | None = None,
    ticket_ids: Iterable[int] = (),
    call_request_id: int | None = None,
    now: datetime | None = None,
) -> ContactLogEntry:
    """Log a call, email, WhatsApp message or meeting that happened outside Helpline."""
    now = now or clock.now()
    check_manages(actor, store)
    if channel not in ContactLogEntry.Channel.values:
        raise InvalidInput(
            f"channel is one of: {', '.join(ContactLogEntry.Channel.values)}",
            code="invalid_channel",
        )
    summary = _text(summary, "summary")
    when = _instant(happened_at, "happened_at") if happened_at is not None else now
    if when > now + timedelta(minutes=5):
        raise InvalidInput(
            "a logged contact has happened already: schedule a meeting instead",
            code="invalid_happened_at",
        )
    with transaction.atomic():
        tickets = _store_tickets(store, ticket_ids)
        return _entry(
            actor=actor,
            store=store,
            channel=channel,
            happened_at=when,
            summary=summary,
            tickets=tickets,
            now=now,
            ends_at=when + timedelta(minutes=30) if channel in MEETINGS else None,
            call_request_id=call_request_id,
        )


def _merchant_users(store: Store) -> list[User]:
    return account_selectors.merchant_users([store.merchant_id])


def _contact_recipients(store: Store, channel: str) -> list[User]:
    """The merchant's users reachable on ``channel`` (WhatsApp: those with a number)."""
    users = _merchant_users(store)
    if channel == ContactLogEntry.Channel.WHATSAPP:
        users = [u for u in users if u.whatsapp]
    if not users:
        raise Conflict(f"{store.merchant} has nobody to reach by {channel}", code="no_recipients")
    return users


def _contact_message(
    *, actor: User, store: Store, user: User, channel: str, subject: str, body: str, refs: str
) -> tuple[str, dict[str, Any]]:
    """One user's copy of a sent contact: (recipient address, outbox payload)."""
    if channel == "email":
        return user.email, email_payload.plain(
            subject=f"{subject} ({refs})" if refs else subject,
            body=f"{body}\n\n— {actor} ({actor.email}), your account manager",
        )
    return user.whatsapp, {
        "text": f"{store.name}: {body}",
        "template": {
            "name": "helpline_ticket_update",
            "language": "en",
            "params": [store.name, body[:200]],
        },
    }


def contact_send(
    *,
    actor: User,
    store: Store,
    channel: str,
    body: str,
    subject: str = "",
    ticket_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> ContactLogEntry:
    """Send an email or a WhatsApp message to the merchant's users from the contact log: it goes
    through the outbox and is logged by itself."""
    now = now or clock.now()
    check_manages(actor, store)
    if channel not in (ContactLogEntry.Channel.EMAIL, ContactLogEntry.Channel.WHATSAPP):
        raise InvalidInput("send by email or whatsapp", code="invalid_channel")
    body = _text(body, "body")
    subject = _text(subject, "subject", required=channel == "email", limit=200)
    users = _contact_recipients(store, channel)
    with transaction.atomic():
        tickets = _store_tickets(store, ticket_ids)
        recipients = [u.email if channel == "email" else u.whatsapp for u in users]
        summary = f"{subject}\n\n{body}" if subject else body
        entry = _entry(
            actor=actor,
            store=store,
            channel=channel,
            happened_at=now,
            summary=summary,
            tickets=tickets,
            now=now,
            sent=True,
            recipients=recipients,
        )
        refs = ", ".join(t.reference for t in tickets)
        for user in users:
            recipient, payload = _contact_message(
                actor=actor,
                store=store,
                user=user,
                channel=channel,
                subject=subject,
                body=body,
                refs=refs,
            )
            outbox.enqueue(
                channel=channel,
                kind="contact",
                recipient=recipient,
                recipient_user_id=user.pk,
                payload=payload,
                idempotency_key=f"contact{entry.pk}.{channel}.u{user.pk}",
                now=now,
            )
    return entry


def _meeting_times(
    starts_at: datetime, ends_at: datetime, now: datetime
) -> tuple[datetime, datetime]:
    """A meeting starts in the future and ends after it starts, within ``MEETING_MAX``."""
    starts_at = _instant(starts_at, "starts_at")
    ends_at = _instant(ends_at, "ends_at")
    if starts_at <= now:
        raise InvalidInput("a meeting is scheduled in the future", code="invalid_starts_at")
    if not starts_at < ends_at <= starts_at + MEETING_MAX:
        raise InvalidInput(
            "a meeting ends after it starts, within 12 hours", code="invalid_ends_at"
        )
    return starts_at, ends_at


def _meeting_link(link: str) -> str:
    link = _text(link, "link", limit=500)
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{link!r} is not an http(s) meeting link", code="invalid_link")
    return link


def _invitees(store: Store, attendees: Iterable[str]) -> list[str]:
    """The merchant's users and any extra attendees, by address, each once."""
    extra = []
    for raw in attendees:
        address = parseaddr(raw.strip())[1].lower()
        if "@" not in address or has_nul(address) or len(address) > 254:
            raise InvalidInput(f"{raw!r} is not an e-mail address", code="invalid_attendee")
        extra.append(address)
    emails = list(dict.fromkeys([u.email for u in _merchant_users(store)] + extra))
    if not emails:
        raise Conflict(f"{store.merchant} has nobody to invite", code="no_recipients")
    return emails


def _send_invitations(
    *, actor: User, store: Store, entry: ContactLogEntry, ends_at: datetime, now: datetime
) -> None:
    """Mail the meeting's invitation (an .ics attachment) to everyone the entry was sent to."""
    starts_at, link, summary, emails = (
        entry.happened_at,
        entry.link,
        entry.summary,
        entry.recipients,
    )
    domain = parseaddr(settings.SUPPORT_ADDRESS)[1].rsplit("@", 1)[-1] or "helpline"
    label = "Training session" if entry.channel == "training" else "Meeting"
    title = f"{label}: {store.name}"
    calendar = ics.invitation(
        uid=f"contact-{entry.pk}-{secrets.token_hex(6)}@{domain}",
        starts_at=starts_at,
        ends_at=ends_at,
        summary=title,
        description=f"{summary}\n\nJoin: {link}",
        location=link,
        organizer=actor.email,
        attendees=emails,
        stamp=now,
    )
    zone = store.merchant.time_zone  # the invited are the store's people
    when = f"{display.when(starts_at, zone)} – {display.when(ends_at, zone)}"
    for address in emails:
        outbox.enqueue(
            channel="email",
            kind="invitation",
            recipient=address,
            payload={
                **email_payload.plain(
                    subject=f"Invitation: {title} ({when})",
                    body=f"{summary}\n\nWhen: {when}\nJoin: {link}\n\n— {actor}, "
                    "your account manager",
                ),
                "attachments": [
                    {"filename": "invite.ics", "content": calendar, "mimetype": "text/calendar"}
                ],
            },
            idempotency_key=f"contact{entry.pk}.invite.{address}",
            now=now,
        )


def meeting_schedule(
    *,
    actor: User,
    store: Store,
    channel: str,
    starts_at: datetime,
    ends_at: datetime,
    link: str,
    summary: str,
    ticket_ids: Iterable[int] = (),
    attendees: Iterable[str] = (),
    call_request_id: int | None = None,
    now: datetime | None = None,
) -> ContactLogEntry:
    """A meeting or training session: a time and a link, logged, and an invitation (an .ics
    attachment) mailed to the merchant's users and any extra attendees."""
    now = now or clock.now()
    check_manages(actor, store)
    if channel not in MEETINGS:
        raise InvalidInput("a meeting or a training session", code="invalid_channel")
    summary = _text(summary, "summary", limit=2000)
    starts_at, ends_at = _meeting_times(starts_at, ends_at, now)
    link = _meeting_link(link)
    emails = _invitees(store, attendees)
    with transaction.atomic():
        tickets = _store_tickets(store, ticket_ids)
        entry = _entry(
            actor=actor,
            store=store,
            channel=channel,
            happened_at=starts_at,
            summary=summary,
            tickets=tickets,
            now=now,
            sent=True,
            recipients=emails,
            ends_at=ends_at,
            link=link,
            call_request_id=call_request_id,
        )
        _send_invitations(actor=actor, store=store, entry=entry, ends_at=ends_at, now=now)
    return entry


# ---------------------------------------------------------------- notes and tasks


def sheet_note_set(
    *, actor: User, ticket: Ticket, note: str, now: datetime | None = None
) -> SheetNote | None:
    """The account manager's note on a ticket's row of the progress sheet (empty: removed)."""
    now = now or clock.now()
    check_manages(actor, ticket.store)
    note = _text(note, "note", required=False, limit=2000)
    with transaction.atomic():
        if not note:
            SheetNote.objects.filter(ticket=ticket).delete()
            return None
        row, _ = SheetNote.objects.update_or_create(
            ticket=ticket, defaults={"note": note, "updated_by": actor, "updated_at": now}
        )
    return row


def am_task_open(
    *, store: Store, ticket: Ticket | None, title: str, now: datetime
) -> AmTask | None:
    """A "tell the merchant" task for the store's account manager (at most one open per
    ticket). Opened by ``ticket_events_written`` when every developer ticket of a merchant
    ticket is done (the ticket's ``engineering_done`` event)."""
    if store.account_manager_id is None:
        return None
    try:
        with transaction.atomic():
            return AmTask.objects.create(
                store=store,
                ticket=ticket,
                kind=AmTask.Kind.TELL_MERCHANT,
                title=title[:300],
                created_at=now,
            )
    except IntegrityError:  # one is open already
        return None


def ticket_events_written(
    *, ticket: Ticket, actor: User | None, events: Sequence[TicketEvent]
) -> None:
    """The ticket listener (registered in ``AppConfig.ready``): engineering finished every
    developer ticket of ``ticket`` (its ``engineering_done`` event) — the account manager gets
    a "tell the merchant" task, in the event's own transaction."""
    for event in events:
        if event.kind != EventKind.ENGINEERING_DONE:
            continue
        refs = (event.after or {}).get("dev_tickets", [])
        am_task_open(
            store=ticket.store,
            ticket=ticket,
            title=f"Tell the merchant: engineering finished {', '.join(refs)} for "
            f"{ticket.reference}",
            now=event.created_at,
        )


def am_task_close(
    *, actor: User, task: AmTask, entry_id: int, now: datetime | None = None
) -> AmTask:
    """Close a task by naming the logged contact that did it."""
    now = now or clock.now()
    check_manages(actor, task.store)
    entry = ContactLogEntry.objects.filter(pk=entry_id, store=task.store).first()
    if entry is None:
        raise InvalidInput("name a contact logged for this store", code="invalid_entry")
    if task.done_at is not None:
        raise Conflict("this task is done already", code="task_done")
    with transaction.atomic():
        task.done_at, task.done_by, task.entry = now, actor, entry
        task.save(update_fields=["done_at", "done_by", "entry"])
    return task
