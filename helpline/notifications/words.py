"""The words a notification names a ticket event with ("status open → in progress", …)."""

from __future__ import annotations

from typing import Any

from helpline.tickets.events import EventKind


def _target(after: dict[str, Any]) -> str:
    return str(after.get("target", "")).replace("_", " ")


def _clock_summary(kind: str, after: dict[str, Any]) -> str | None:
    if kind == EventKind.SLA_WARNING:
        return f"75 % of the {_target(after)} target used; due {after.get('deadline')}"
    if kind == EventKind.SLA_BREACHED:
        return f"{after.get('priority')} {_target(after)} target breached at {after.get('at')}"
    return None


def summary(event: Any, ticket: Any) -> str:
    """One line saying what ``event`` did to ``ticket``."""
    kind, after, before = event.kind, event.after or {}, event.before
    if kind == EventKind.CREATED:
        due = after.get("first_response_due")
        return f"we have your ticket ({ticket.priority}); first answer due {due}"
    if kind == EventKind.MESSAGE:
        who = "Support" if after.get("from_staff") else "The merchant"
        return f"{who} wrote" + (" (a question for you)" if after.get("question") else "")
    if kind == EventKind.STATUS:
        return f"status {str(before).replace('_', ' ')} → {str(event.after).replace('_', ' ')}"
    if kind == EventKind.PRIORITY:
        return f"priority {before} → {event.after}"
    if kind == EventKind.DUE_DATE:
        return f"due date {before or 'none'} → {event.after}"
    if kind == EventKind.ASSIGNEE:
        return "assigned to you"
    if kind == EventKind.UNROUTED:
        return f"nobody could be assigned ({event.reason}): it waits in the team's queue"
    clock = _clock_summary(kind, after)
    if clock is not None:
        return clock
    if kind == EventKind.MONITOR:
        return "news from the store monitor"
    if kind == EventKind.ENGINEERING_DONE:
        return f"engineering finished {', '.join(after.get('dev_tickets', []))}: tell the merchant"
    if kind == EventKind.QUOTE:
        amount, until = after.get("amount_inr"), after.get("valid_until")
        return f"a quote of INR {amount} awaits your approval until {until}"
    return kind.replace("_", " ")
