"""Reads of the notifications app: who is on call; a person's notification preferences."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from helpline.accounts.models import User
from helpline.core import clock
from helpline.outbox import selectors as outbox
from helpline.outbox.models import OnCallShift, Preference


def _covers(shift: OnCallShift, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(shift.zone))
    t = local.time().replace(tzinfo=None)
    if shift.start < shift.end:
        return local.weekday() == shift.weekday and shift.start <= t < shift.end
    # Runs past midnight: the evening of its weekday, or the small hours of the next day.
    if local.weekday() == shift.weekday and t >= shift.start:
        return True
    return local.weekday() == (shift.weekday + 1) % 7 and t < shift.end


def on_call_at(at: datetime | None = None) -> list[User]:
    """Who is on call at ``at``: the overrides covering it, else the weekly rota's shifts."""
    at = at or clock.now()
    people = [o.user for o in outbox.on_call_overrides(at)]
    if not people:
        people = [s.user for s in outbox.on_call_shifts() if _covers(s, at)]
    seen: set[int] = set()
    out = []
    for user in people:
        if user.is_active and user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def preference_of(user: User) -> Preference:
    """``user``'s own preferences; the defaults (unsaved) if they never chose."""
    return outbox.preference_of(user)


def time_zone_of(user: User) -> str:
    """The zone a person's quiet hours and digest time are read in (as ``rules`` reads them)."""
    return user.time_zone or settings.TIME_ZONE_DISPLAY
