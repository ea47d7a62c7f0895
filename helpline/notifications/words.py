"""The words a notification names a ticket event with ("status open → in progress", …)."""

from __future__ import annotations

from typing import Any


def _target(after: dict[str, Any]) -> str:
    return str(after.get("target", "")).replace("_", " ")


def _clock_summary(kind: str, after: dict[str, Any]) -> str | None:
    if kind == "sla_warning":
        return f"75 % of the {_target(after)} target used; due {after.get('deadline')}"
    if kind == "sla_breached":
        return f"{after.get('priority')} {_target(after)} target breached at {after.get('at')}"
    return None


def summary(event: Any, ticket: Any) -> str:
    """One line saying what ``event`` did to ``ticket``."""
    kind, after, before = event.kind, event.after or {}, event.before
    if kind == "created":
        due = after.get("first_response_due")
        return f"we have your ticket ({ticket.priority}); first answer due {due}"
    if kind == "message":
        who = "Support" if after.get("from_staff") else "The merchant"
        return f"{who} wrote" + (" (a question for you)" if after.get("question") else "")
    if kind == "status":
        return f"status {str(before).replace('_', ' ')} → {str(event.after).replace('_', ' ')}"
    if kind == "priority":
        return f"priority {before} → {event.after}"
    if kind == "due_date":
        return f"due date {before or 'none'} → {event.after}"
    if kind == "assignee":
        return "assigned to you"
    clock = _clock_summary(kind, after)
    if clock is not None:
        return clock
    if kind == "monitor":
        return "news from the store monitor"
    if kind == "engineering_done":
        return f"engineering finished {', '.join(after.get('dev_tickets', []))}: tell the merchant"
    if kind == "quote":
        amount, until = after.get("amount_inr"), after.get("valid_until")
        return f"a quote of INR {amount} awaits your approval until {until}"
    return kind.replace("_", " ")
