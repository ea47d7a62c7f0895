"""The words a notification names a ticket event with ("status open → in progress", …), for
one reader: every time in their zone and every amount as ``core.display`` writes it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from helpline.billing.models import gst_on
from helpline.core import display
from helpline.core.display import ZoneLike
from helpline.monitoring import selectors as monitoring_selectors
from helpline.monitoring import storm
from helpline.tickets.events import EventKind

# The reader's zone, or how to find it: it is looked up only for words that carry a time.
Zone = ZoneLike | Callable[[], ZoneLike]


def _in(zone: Zone) -> ZoneLike:
    return zone() if callable(zone) else zone


def _target(after: dict[str, Any]) -> str:
    return str(after.get("target", "")).replace("_", " ")


def _clock_summary(kind: str, after: dict[str, Any], zone: Zone) -> str | None:
    if kind == EventKind.SLA_WARNING:
        used = after.get("percent", 75)
        due = display.when(after.get("deadline"), _in(zone))
        return f"{used} % of the {_target(after)} target used; due {due}"
    if kind == EventKind.SLA_BREACHED:
        at = display.when(after.get("at"), _in(zone))
        return f"{after.get('priority')} {_target(after)} target breached at {at}"
    return None


def quote_words(after: dict[str, Any], zone: ZoneLike) -> str:
    """ "a quote of ₹5,900.00 incl. GST ₹900.00 awaits your approval until Wed 16 Dec 2026,
    12:00 IST": what is billed, the tax in it, and until when it may be decided."""
    until = display.when(after.get("valid_until"), zone)
    try:
        amount = Decimal(str(after.get("amount_inr")))
        gst = gst_on(amount, Decimal(str(after.get("gst_percent") or "0")))
        price = display.with_gst(amount + gst, gst)
    except InvalidOperation:
        price = display.money(after.get("amount_inr"))
    return f"a quote of {price} awaits your approval until {until}"


def platform_incident(ticket: Any) -> dict[str, Any] | None:
    """The platform incident a C1 is linked to, as {"incident", "title"} (read once a ticket
    object: every reader's words ask)."""
    if ticket.priority != "C1":
        return None
    if not hasattr(ticket, "_platform_incident"):
        found = monitoring_selectors.incident_of_ticket(ticket.pk)
        ticket._platform_incident = (
            {"incident": found.pk, "title": found.title} if found is not None else None
        )
    return ticket._platform_incident


def incident_words(incident: dict[str, Any]) -> str:
    """ "part of a platform incident (…): follow it at https://…/status/" """
    return (
        f"part of a platform incident ({incident.get('title')}): we are on it; "
        f"follow it at {storm.status_url()}"
    )


def summary(event: Any, ticket: Any, zone: Zone) -> str:
    """One line saying what ``event`` did to ``ticket``, times in ``zone`` (the reader's)."""
    kind, after, before = event.kind, event.after or {}, event.before
    if kind == EventKind.CREATED:
        due = display.when(after.get("first_response_due"), _in(zone), missing="as soon as we can")
        said = f"we have your ticket ({ticket.priority}); first answer due {due}"
        incident = platform_incident(ticket)
        return f"{said}; {incident_words(incident)}" if incident is not None else said
    if kind == EventKind.PLATFORM_INCIDENT:
        return incident_words(after)
    if kind == EventKind.ROOT_CAUSE:
        title, url = after.get("title", ""), after.get("url", "")
        return f"the root-cause report of “{title}” is published: {url}"
    if kind == EventKind.MESSAGE:
        who = "Support" if after.get("from_staff") else "The merchant"
        return f"{who} wrote" + (" (a question for you)" if after.get("question") else "")
    if kind == EventKind.STATUS:
        return f"status {str(before).replace('_', ' ')} → {str(event.after).replace('_', ' ')}"
    if kind == EventKind.PRIORITY:
        return f"priority {before} → {event.after}"
    if kind == EventKind.DUE_DATE:
        was = display.when(before, _in(zone), missing="none")
        now = display.when(event.after, _in(zone), missing="a new due date will be set")
        return f"due date {was} → {now}"
    if kind == EventKind.DUE_PASSED:
        due = display.when(after.get("due_at"), _in(zone))
        return f"the due date {due} passed with the ticket still open"
    if kind == EventKind.ASSIGNEE:
        return "assigned to you"
    if kind == EventKind.UNROUTED:
        return f"nobody could be assigned ({event.reason}): it waits in the team's queue"
    clock = _clock_summary(kind, after, zone)
    if clock is not None:
        return clock
    if kind == EventKind.MERCHANT_ASKS_PRIORITY:
        return f"the merchant asks for {after.get('asked')} (the ticket is {after.get('current')})"
    if kind == EventKind.MONITOR:
        return "news from the store monitor"
    if kind == EventKind.ENGINEERING_DONE:
        return f"engineering finished {', '.join(after.get('dev_tickets', []))}: tell the merchant"
    if kind == EventKind.QUOTE:
        return quote_words(after, _in(zone))
    return kind.replace("_", " ")
