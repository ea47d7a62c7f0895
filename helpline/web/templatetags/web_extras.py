"""Small template filters for the web pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html

from helpline.core import clock, display

register = template.Library()


@register.filter
def previewable(attachment: Any) -> bool:
    """An attachment the ticket page shows inline (a raster image, views.attachments)."""
    from helpline.web.present import PREVIEWABLE

    return getattr(attachment, "content_type", "") in PREVIEWABLE


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


def _zone(zone: Any) -> Any:
    """The zone a filter writes in: the one given, else the reader's (activated per request)."""
    return zone if zone not in (None, "") else timezone.get_current_timezone()


SNAKE = re.compile(r"[a-z]+(?:_[a-z]+)+")
WORDS = {"first_response": "first response", "resolution": "resolution"}


@register.filter
def words(value: Any) -> Any:
    """A machine name in a report's cell as words: "first_response" → "first response" (other
    values as they are; the exports keep the names)."""
    if isinstance(value, str) and SNAKE.fullmatch(value):
        return WORDS.get(value, value.replace("_", " "))
    return value


@register.filter
def minutes(value: Any) -> str:
    """A number of minutes as a length of time in words: "250 d 22 h", "12 min", "none"."""
    try:
        amount = float(value or 0)
    except (TypeError, ValueError):
        return ""
    if amount == 0:
        return "none"
    words = display.duration(timedelta(minutes=abs(amount)))
    return f"{words} over" if amount < 0 else words


@register.filter
def when(value: Any, zone: Any = None) -> str:
    """An instant (a datetime or an ISO string) for people, in ``zone`` (default: the reader's):
    "Tue 8 Dec 2026, 18:00 IST" — ``core.display``, the one way times are written."""
    return display.when(value, _zone(zone))


@register.filter
def from_now(value: Any) -> str:
    """ "in 2 h 15 min", "3 d ago": beside a time where the distance helps."""
    return display.relative(value, clock.now())


@register.filter
def day(value: Any) -> str:
    """A calendar day: "Tue 8 Dec 2026"."""
    return display.day(value) if value else ""


@register.filter
def money(value: Any, currency: str = "INR") -> str:
    """ "₹1,00,000.00": an amount as people write it."""
    return "" if value is None else display.money(value, currency)


@register.filter
def with_gst(total: Any, gst: Any) -> str:
    """ "₹5,900.00 incl. GST ₹900.00"."""
    return display.with_gst(total, gst)


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
