"""Reads of the notifications app: who is on call; a person's notification preferences."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from helpline.accounts.models import User
from helpline.core import clock
from helpline.outbox import selectors as outbox
from helpline.outbox.models import Preference
from helpline.routing import selectors as routing


def on_call_at(at: datetime | None = None) -> list[User]:
    """Who is on call at ``at``: the overrides covering it, else the weekly rota's shifts
    (routing computes it: it routes a C1 after hours to them)."""
    return routing.on_call_at(at or clock.now())


def preference_of(user: User) -> Preference:
    """``user``'s own preferences; the defaults (unsaved) if they never chose."""
    return outbox.preference_of(user)


def time_zone_of(user: User) -> str:
    """The zone a person's quiet hours and digest time are read in (as ``rules`` reads them)."""
    return user.time_zone or settings.TIME_ZONE_DISPLAY
