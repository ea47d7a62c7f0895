"""Reads of the notifications app: a person's notification preferences (who is on call is
routing's: ``routing.selectors.on_call_at``)."""

from __future__ import annotations

from django.conf import settings

from helpline.accounts.models import Role, User
from helpline.notifications.audience import MERCHANT_KINDS
from helpline.notifications.services import EVENT_KINDS
from helpline.outbox import selectors as outbox
from helpline.outbox.models import Preference
from helpline.tickets.events import EventKind


def preference_of(user: User) -> Preference:
    """``user``'s own preferences; the defaults (unsaved) if they never chose."""
    return outbox.preference_of(user)


def time_zone_of(user: User) -> str:
    """The zone a person's quiet hours and digest time are read in (as ``rules`` reads them)."""
    return user.time_zone or settings.TIME_ZONE_DISPLAY


def event_kinds_for(user: User) -> dict[str, str]:
    """The kinds of event ``user`` can be told of, with their words: a merchant user hears only
    of their own tickets' public events (``audience``), staff of every kind."""
    if user.role != Role.MERCHANT:
        return dict(EVENT_KINDS)
    theirs = MERCHANT_KINDS | {EventKind.MESSAGE}
    words: dict[str, str] = {EventKind.CREATED: "A ticket is opened (the acknowledgement)"}
    return {k: words.get(k, v) for k, v in EVENT_KINDS.items() if k in theirs}
