"""Every write of the outbox: enqueue (inside the caller's transaction), retry dead letters.

``enqueue`` must be called inside the transaction of the change that causes the
notification: the row commits with the change or not at all, and the worker
delivers it after commit (``delivery``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q

from helpline.core import clock
from helpline.core.errors import InvalidInput
from helpline.core.prepared import insert
from helpline.outbox.channels.email import payload as email_payload
from helpline.outbox.models import (
    Outbox,
    Preference,
    Priority,
    State,
    WebhookEndpoint,
    WhatsAppInbound,
    WhatsAppWindow,
)


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
    priority: int = Priority.NORMAL


def enqueue_many(items: Sequence[Notification], *, now: datetime | None = None) -> int:
    """Write notifications; one already written (same idempotency key) is left as it is."""
    if not items:
        return 0
    if not connection.in_atomic_block:
        raise RuntimeError("outbox.enqueue runs inside the transaction of the change it reports")
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
            priority=n.priority,
            state=State.PENDING,
            created_at=now,
        )
        for n in items
    ]
    insert(rows, ignore_conflicts=True)
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
    priority: int = Priority.NORMAL,
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
                priority=priority,
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
            payload=email_payload.plain(subject=subject, body=body),
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


def preference_save(*, user: Any, choices: dict[str, Any]) -> Preference:
    """Store a person's notification choices (validated by the caller)."""
    preference, _ = Preference.objects.update_or_create(user=user, defaults=choices)
    return preference


def whatsapp_inbound_record(
    *, message_id: str, phone: str, kind: str, body: str, sent_at: datetime, received_at: datetime
) -> WhatsAppInbound:
    """Record a message a customer sent on WhatsApp (refused by the unique id if seen before:
    ``IntegrityError``), "ignored" until the caller routes it."""
    return WhatsAppInbound.objects.create(
        message_id=message_id,
        phone=phone,
        kind=kind,
        body=body,
        sent_at=sent_at,
        received_at=received_at,
        outcome=WhatsAppInbound.Outcome.IGNORED,
    )
