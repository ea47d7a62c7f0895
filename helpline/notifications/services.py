"""Every write of the notifications app: the outbox rows for the ticket events (called by the
ticket services through ``tickets.listeners``, in the change's transaction) and a person's
own notification preferences."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import time
from typing import Any

from django.db import transaction

from helpline.accounts import services as accounts
from helpline.accounts.models import User
from helpline.core.errors import InvalidInput
from helpline.notifications import rules
from helpline.outbox import services as outbox
from helpline.outbox.models import Preference
from helpline.tickets.events import EventKind

# What a person can be told about (notifications.rules), with the words the preference page uses.
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
    EventKind.SLA_WARNING: "A step of the escalation chain (50 %, 75 % of a target) has passed",
    EventKind.SLA_BREACHED: "A target is breached",
}
WHATSAPP_NUMBER = re.compile(r"\+[1-9][0-9]{7,14}")


def ticket_events_written(*, ticket: Any, actor: Any, events: Sequence[Any]) -> int:
    """The ticket services call this with the ``TicketEvent`` rows they just wrote (same
    transaction): whoever should hear of each gets a notification (``rules``)."""
    return outbox.enqueue_many(rules.notifications_for(ticket=ticket, actor=actor, events=events))


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
        preference = outbox.preference_save(
            user=user,
            choices={
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
