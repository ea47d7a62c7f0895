"""What a person's ``Preference`` does to a notification: mutes, quiet hours, the digest time
(read in the person's own time zone)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from helpline.accounts.models import User
from helpline.core import zones
from helpline.outbox.models import Preference
from helpline.tickets.events import EventKind


def _at_local(day: date, when: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, when, tzinfo=zone)


def topics(items: Sequence[tuple[Any, ...]]) -> set[str]:
    """What one person's notification is about, for their mutes: its named actions (a
    resolution, a quote) without the status change and message that come with them."""
    kinds = {item[0].kind for item in items}
    return (kinds - {EventKind.STATUS, EventKind.MESSAGE}) or kinds


def quiet_until(pref: Preference, user: User, at: datetime) -> datetime | None:
    """The end of the quiet hours ``at`` falls in (None: not quiet then)."""
    if pref.quiet_start is None or pref.quiet_end is None:
        return None
    zone = zones.zone_or_default(user.time_zone)
    local = at.astimezone(zone)
    t, start, end = local.time().replace(tzinfo=None), pref.quiet_start, pref.quiet_end
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    until = _at_local(local.date(), end, zone)
    if until <= local:
        until = _at_local(local.date() + timedelta(days=1), end, zone)
    return until


def next_digest(pref: Preference, user: User, at: datetime) -> datetime:
    zone = zones.zone_or_default(user.time_zone)
    local = at.astimezone(zone)
    when = _at_local(local.date(), pref.digest_at, zone)
    return (
        when if when > local else _at_local(local.date() + timedelta(days=1), pref.digest_at, zone)
    )
