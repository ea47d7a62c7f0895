"""Small template filters for the web pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def iso_in(value: str | None, zone: Any) -> str:
    """An ISO 8601 instant (as the SLA preview gives it) shown in ``zone``."""
    if not value:
        return ""
    try:
        instant = datetime.fromisoformat(value)
        tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))
    except (ValueError, KeyError):
        return value
    return instant.astimezone(tz).strftime("%a %d %b %Y, %H:%M")
