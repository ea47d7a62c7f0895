"""Reads of the notifications app: a person's notification preferences (who is on call is
routing's: ``routing.selectors.on_call_at``)."""

from __future__ import annotations

from django.conf import settings

from helpline.accounts.models import User
from helpline.outbox import selectors as outbox
from helpline.outbox.models import Preference


def preference_of(user: User) -> Preference:
    """``user``'s own preferences; the defaults (unsaved) if they never chose."""
    return outbox.preference_of(user)


def time_zone_of(user: User) -> str:
    """The zone a person's quiet hours and digest time are read in (as ``rules`` reads them)."""
    return user.time_zone or settings.TIME_ZONE_DISPLAY
