"""Every write of the notify app: enqueue (inside the caller's transaction), retry dead letters.

``enqueue`` and ``ticket_events_written`` must be called inside the transaction of the change
that causes the notification: the row commits with the change or not at all, and the worker
delivers it after commit (``delivery``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from email.utils import make_msgid
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from helpline.accounts import services as accounts
from helpline.accounts.models import User
from helpline.core import clock
from helpline.core.errors import InvalidInput
from helpline.core.prepared import insert
from helpline.notify.models import Outbox, Preference, State, WebhookEndpoint, WhatsAppWindow
from helpline.tickets.events import EventKind

# What a person can be told about (notify.rules), with the words the preference page uses.
EVENT_KINDS: dict[str, str] = {
    EventKind.CREATED: "A ticket is opened (acknowledgement; account managers: C1 and C2)",
    EventKind.MESSAGE: "A new message on a ticket",
    EventKind.STATUS: "Status changes",
    EventKind.PRIORITY: "Priority changes",
    EventKind.DUE_DATE: "Due date changes",
    EventKind.QUOTE: "A cost quote is sent",
    EventKind.QUOTE_APPROVED: "A quote is approved",
    EventKind.QUOTE_DECLINED: "A quote is declined",
    EventKind.QUOTE_EXPIRED: "A quote expires",
    EventKind.WORKAROUND: "A workaround is recorded",
    EventKind.RESOLVED: "A ticket is resolved",
    EventKind.REOPENED: "A ticket is reopened",
    EventKind.WITHDRAWN: "A ticket is withdrawn",
    EventKind.ASSIGNEE: "A ticket is assigned to you",
    EventKind.SLA_WARNING: "75 % of a target has passed",
    EventKind.SLA_BREACHED: "A target is breached",
}
WHATSAPP_NUMBER = re.compile(r"\+[1-9][0-9]{7,14}")


@dataclass(frozen=True)
class Notification:
    channel: str
    kind: str
    recipient: str
    payload: dict[str, Any]
    idempotency_key: str
    due_at: datetime
    ticket_id: int | None = None
    recipient_user_id: int | None = None


def enqueue_many(items: Sequence[Notification], *, now: datetime | None = None) -> int:
    """Write notifications; one already written (same idempotency key) is left as it is."""
    if not items:
        return 0
    if not connection.in_atomic_block:
        raise RuntimeError("notify.enqueue runs inside the transaction of the change it reports")
    now = now or clock.now()
    rows = [
        Outbox(
            channel=n.channel,
            kind=n.kind,
            recipient=n.recipient,
            payload=n.payload,
            idempotency_key=n.idempotency_key,
            due_at=n.due_at,
            ticket_id=n.ticket_id,
            recipient_user_id=n.recipient_user_id,
            state=State.PENDING,
            created_at=now,
        )
        for n in items
    ]
    insert(rows, ignore_conflicts=True)  # compiled once (decision 0080)
    return len(rows)


def enqueue(
    *,
    channel: str,
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    idempotency_key: str,
    now: datetime | None = None,
    due_at: datetime | None = None,
    ticket_id: int | None = None,
    recipient_user_id: int | None = None,
) -> None:
    now = now or clock.now()
    enqueue_many(
        [
            Notification(
                channel=channel,
                kind=kind,
                recipient=recipient,
                payload=payload,
                idempotency_key=idempotency_key,
                due_at=due_at or now,
                ticket_id=ticket_id,
                recipient_user_id=recipient_user_id,
            )
        ],
        now=now,
    )


def email_enqueue(
    *,
    recipient: str,
    subject: str,
    body: str,
    kind: str,
    idempotency_key: str,
    now: datetime | None = None,
) -> None:
    """A mail that belongs to no ticket (a password reset, …): written to the outbox in its
    own transaction and delivered by the worker like every other side effect."""
    with transaction.atomic():
        enqueue(
            channel="email",
            kind=kind,
            recipient=recipient,
            payload={"subject": subject, "body": body, "message_id": make_msgid(domain="helpline")},
            idempotency_key=idempotency_key,
            now=now,
        )


def outbox_retry(
    *, ids: Iterable[int] | None = None, all_dead: bool = False, now: datetime | None = None
) -> int:
    """Dead letters back to pending, due now, with a fresh set of attempts. Returns how many."""
    now = now or clock.now()
    if ids is None and not all_dead:
        raise InvalidInput("name the notifications to retry, or all dead ones", code="invalid")
    qs = Outbox.objects.filter(state=State.DEAD)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    with transaction.atomic():
        return qs.update(
            state=State.PENDING, due_at=now, attempts=0, claimed_by="", claimed_until=None
        )


def outbox_counts() -> dict[str, int]:
    from django.db.models import Count

    counts = {s.value: 0 for s in State}
    for row in Outbox.objects.values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    return counts


def outbox_list(*, state: str = State.DEAD, limit: int = 100) -> list[Outbox]:
    """Notifications in ``state``, newest first (the admin and the API show dead letters)."""
    if state not in State.values:
        raise InvalidInput(f"unknown state {state!r}", code="invalid_state")
    return list(Outbox.objects.filter(state=state).order_by("-pk")[:limit])


def outbox_dead(*, limit: int = 100) -> list[Outbox]:
    return outbox_list(state=State.DEAD, limit=limit)


def webhook_endpoint_create(
    *,
    name: str,
    url: str,
    secret: str,
    events: Sequence[str] = (),
    internal: bool = True,
    now: datetime | None = None,
) -> WebhookEndpoint:
    if len(secret) < 16:
        raise InvalidInput("a webhook secret needs at least 16 characters", code="invalid_secret")
    return WebhookEndpoint.objects.create(
        name=name,
        url=url,
        secret=secret,
        events=list(events),
        internal=internal,
        created_at=now or clock.now(),
    )


def whatsapp_inbound_seen(*, phone: str, at: datetime) -> None:
    """A customer wrote to us on WhatsApp at ``at``: the 24-hour window runs from then."""
    with transaction.atomic():
        updated = WhatsAppWindow.objects.filter(Q(phone=phone), Q(last_inbound_at__lt=at)).update(
            last_inbound_at=at
        )
        if not updated:
            WhatsAppWindow.objects.get_or_create(phone=phone, defaults={"last_inbound_at": at})


def ticket_events_written(*, ticket: Any, actor: Any, events: Sequence[Any]) -> int:
    """The ticket services call this with the ``TicketEvent`` rows they just wrote (same
    transaction): whoever should hear of each gets a notification (``rules``)."""
    from helpline.notify import rules

    return enqueue_many(rules.notifications_for(ticket=ticket, actor=actor, events=events))


def whatsapp_number(raw: str) -> str:
    """``+91 98000-00001`` → ``+919800000001`` (E.164); "" stays ""; anything else is refused."""
    cleaned = re.sub(r"[\s\-().]", "", raw or "")
    if cleaned and not WHATSAPP_NUMBER.fullmatch(cleaned):
        raise InvalidInput(
            "a WhatsApp number is + and the country code and number, 8 to 15 digits "
            "(e.g. +91 98000 00001)",
            code="invalid_whatsapp",
        )
    return cleaned


def preference_update(
    *,
    user: User,
    email: bool,
    whatsapp: bool,
    muted: Sequence[str],
    quiet_start: time | None,
    quiet_end: time | None,
    digest: bool,
    digest_at: time,
    whatsapp_phone: str,
    whatsapp_muted: Sequence[str] = (),
) -> Preference:
    """A person's own choices (quiet hours and the digest time in their time zone). Anything
    invalid is refused as a whole: nothing is saved."""
    unknown = sorted((set(muted) | set(whatsapp_muted)) - set(EVENT_KINDS))
    if unknown:
        raise InvalidInput(
            f"unknown event kind {', '.join(map(repr, unknown))}; known: {', '.join(EVENT_KINDS)}",
            code="unknown_event",
        )
    if (quiet_start is None) != (quiet_end is None):
        raise InvalidInput(
            "quiet hours need both a start and an end (or neither)", code="invalid_quiet_hours"
        )
    if quiet_start is not None and quiet_start == quiet_end:
        raise InvalidInput(
            "quiet hours cannot start and end at the same time", code="invalid_quiet_hours"
        )
    phone = whatsapp_number(whatsapp_phone)
    with transaction.atomic():
        accounts.user_whatsapp_set(user=user, whatsapp=phone)
        preference, _ = Preference.objects.update_or_create(
            user=user,
            defaults={
                "email": email,
                "whatsapp": whatsapp,
                "muted": [kind for kind in EVENT_KINDS if kind in set(muted)],
                "whatsapp_muted": [kind for kind in EVENT_KINDS if kind in set(whatsapp_muted)],
                "quiet_start": quiet_start,
                "quiet_end": quiet_end,
                "digest": digest,
                "digest_at": digest_at,
            },
        )
    return preference
