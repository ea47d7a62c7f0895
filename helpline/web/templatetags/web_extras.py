"""Small template filters for the web pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils.html import format_html

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


@register.simple_tag
def countdown(clock: Any, ticket: Any) -> str:
    """A clock's words; a pending one carries its deadline for static/web/countdown.js
    (a tag rather than an include: it runs once per row of a 50-row queue)."""
    classes = "countdown breached" if clock.breached else "countdown"
    if not clock.ticking:
        return format_html('<span class="{}" aria-live="off">{}</span>', classes, clock.text)
    return format_html(
        '<span class="{}" data-due="{}" data-key="{}-{}" data-name="{} {}" aria-live="off">'
        "{}</span>",
        classes,
        clock.deadline.isoformat(),
        ticket.pk,
        clock.kind,
        ticket.reference,
        clock.label.lower(),
        clock.text,
    )
