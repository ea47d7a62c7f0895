"""A ticket's events in words: "Priority C1 → C2 — workaround recorded", "Assigned to Lena".

Presentation only (the events are written by the services). Kinds this module does not know
(new ones from other apps) still read sensibly: the kind in words and the values it carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from helpline.tickets.models import Status, TicketEvent
from helpline.web.present import LABELS, duration_text

STATUS = dict(Status.choices)
PLAIN = {
    "reopened": "Reopened",
    "resolved": "Resolved",
    "withdrawn": "Withdrawn",
    "workaround": "Workaround recorded",
    "quote_approved": "Quote approved",
    "quote_declined": "Quote declined",
    "quote_expired": "Quote expired",
    # Other apps' events (mail, engineering, monitoring, master incidents).
    "monitor": "News from the store monitor",
    "unverified_sender": "Mail from an address that is no contact of this merchant",
    "incident_linked": "Linked to a master incident",
    "incident_unlinked": "No longer linked to a master incident",
    "incident_child_added": "A ticket was linked to this incident",
    "merged": "Duplicate tickets merged into this one",
    "merged_into": "Merged into another ticket",
}
ENGINEERING = {
    "escalated": "Escalated to engineering",
    "engineering_done": "Engineering finished: tell the merchant",
    "engineering_reopened": "Back with engineering",
}


@dataclass(frozen=True)
class Line:
    event: TicketEvent
    text: str


def _when(value: Any, zone: ZoneInfo) -> str:
    try:
        instant = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return instant.astimezone(zone).strftime("%a %d %b %Y, %H:%M")


def _target(after: Any) -> str:
    kind = after.get("target", "") if isinstance(after, dict) else ""
    return LABELS.get(kind, str(kind).replace("_", " ") or "A target")


def _values(before: Any, after: Any) -> str:
    if before is None and after is None:
        return ""
    if isinstance(after, dict):
        after = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in after.items() if v != "")
    return f": {before} → {after}" if before is not None else f": {after}"


def event_text(event: TicketEvent, *, names: dict[int, str], zone: ZoneInfo) -> str:
    kind, before, after = event.kind, event.before, event.after
    info = after if isinstance(after, dict) else {}
    if kind == "created":
        text = f"Opened as {info.get('priority', '')}".strip()
    elif kind == "status":
        text = f"Status {STATUS.get(str(before), before)} → {STATUS.get(str(after), after)}"
    elif kind in ("priority", "issue_type"):
        text = f"{'Priority' if kind == 'priority' else 'Issue type'} {before} → {after}"
    elif kind == "due_date":
        text = f"Due date {_when(after, zone)}" if after else "Due date cleared"
        if before:
            text += f" (was {_when(before, zone)})"
    elif kind == "assignee":
        text = f"Assigned to {names.get(after, 'staff')}" if after else "Unassigned"
    elif kind in ("message", "note"):
        text = "Internal note" if kind == "note" else "Message"
        if info.get("question"):
            text = "Question to the merchant"
        elif info.get("kind") in ("workaround", "resolution"):
            text = f"{str(info['kind']).capitalize()} message"
    elif kind == "rating":
        text = f"Rated {info.get('rating', '?')} of 5"
        if info.get("comment"):
            text += f": “{info['comment']}”"
    elif kind == "sla_warning":
        text = f"{_target(after)}: 75 % of the time used, due {_when(info.get('deadline'), zone)}"
    elif kind == "sla_breached":
        text = f"{_target(after)} target breached"
    elif kind == "sla_met":
        taken = duration_text(timedelta(seconds=int(info.get("business_seconds") or 0)))
        text = f"{_target(after)} target met{' late' if info.get('late') else ''} ({taken})"
    elif kind in ("sla_restarted", "sla_recomputed", "sla_resumed"):
        verb = kind.removeprefix("sla_")
        text = f"{_target(after)} target {verb}, due {_when(info.get('deadline'), zone)}"
    elif kind == "merchant_asks_priority":
        text = f"Merchant asks for {info.get('asked', '?')} (now {info.get('current', '?')})"
    elif kind == "follow_up_of":
        text = f"Follow-up of {info.get('reference', 'a closed ticket')}"
    elif kind in ENGINEERING:
        refs = ", ".join(str(r) for r in info.get("dev_tickets") or [])
        text = ENGINEERING[kind] + (f" ({refs})" if refs else "")
    elif kind == "engineering_eta":
        text = f"Engineering ETA {_when(info.get('eta'), zone)} ({info.get('dev_ticket', '')})"
    elif kind in PLAIN:
        text = PLAIN[kind]
    else:
        text = kind.replace("_", " ").capitalize() + _values(before, after)
    return f"{text} — {event.reason}" if event.reason else text


def lines(events: list[TicketEvent], *, names: dict[int, str], zone: ZoneInfo) -> list[Line]:
    return [Line(e, event_text(e, names=names, zone=zone)) for e in events]
