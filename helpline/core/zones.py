"""Time zones by name: the one place a stored or typed zone name (a merchant's, a user's, the
installation's) becomes a ``ZoneInfo``, with a fallback when the name is empty or unknown."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings


def known_zone(name: str | None) -> ZoneInfo | None:
    """The zone called ``name``; None when the name is empty or no known IANA zone."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_or_default(*names: str | None, default: str = "") -> ZoneInfo:
    """The first of ``names`` that is a known zone, else ``default`` (when not given: the
    installation's display zone, ``settings.TIME_ZONE_DISPLAY``)."""
    for name in names:
        zone = known_zone(name)
        if zone is not None:
            return zone
    return ZoneInfo(default or settings.TIME_ZONE_DISPLAY)
