"""A ticket's events in words: "Priority C1 → C2 — workaround recorded", "Assigned to Lena".

Presentation only (the events are written by the services). Kinds this module does not know
(new ones from other apps) still read sensibly: the kind in words and the values it carries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from helpline.accounts import selectors as people
from helpline.core import display
from helpline.notifications.words import quote_words
from helpline.tickets.events import EventKind
from helpline.tickets.models import Status, TicketEvent
from helpline.web.present import LABELS

STATUS = dict(Status.choices)
ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
PLAIN: dict[str, str] = {
    EventKind.REOPENED: "Reopened",
    EventKind.RESOLVED: "Resolved",
    EventKind.WITHDRAWN: "Withdrawn",
    EventKind.WORKAROUND: "Workaround recorded",
    EventKind.QUOTE_APPROVED: "Quote approved",
    EventKind.QUOTE_DECLINED: "Quote declined",
    EventKind.QUOTE_EXPIRED: "Quote expired",
    # Other apps' events (mail, engineering, monitoring, master incidents).
    EventKind.MONITOR: "News from the store monitor",
    EventKind.UNVERIFIED_SENDER: "Mail from an address that is no contact of this merchant",
    EventKind.INCIDENT_LINKED: "Linked to a master incident",
    EventKind.INCIDENT_UNLINKED: "No longer linked to a master incident",
    EventKind.INCIDENT_CHILD_ADDED: "A ticket was linked to this incident",
    EventKind.PLATFORM_INCIDENT: "Part of a platform incident (see the status page)",
    EventKind.ROOT_CAUSE: "Root cause explained",  # the reason carries the report's address
    EventKind.MERGED: "Duplicate tickets merged into this one",
    EventKind.MERGED_INTO: "Merged into another ticket",
}
ENGINEERING: dict[str, str] = {
    EventKind.ESCALATED: "Escalated to engineering",
    EventKind.ENGINEERING_DONE: "Engineering finished: tell the merchant",
    EventKind.ENGINEERING_REOPENED: "Back with engineering",
}


@dataclass(frozen=True)
class Line:
    event: TicketEvent
    text: str


def _when(value: Any, zone: ZoneInfo) -> str:
    return display.when(value, zone, missing="none")


def _value(value: Any, zone: ZoneInfo) -> str:
    """A value an event carries, as people read it: an instant in ``zone``."""
    if isinstance(value, str) and ISO_INSTANT.match(value):
        return _when(value, zone)
    return str(value)


def _target(after: Any) -> str:
    kind = after.get("target", "") if isinstance(after, dict) else ""
    return LABELS.get(kind, str(kind).replace("_", " ") or "A target")


def _counted(n: Any, word: str) -> str:
    n = int(n or 0)
    return f"{n} {word}{'s' if n != 1 else ''}"


def _quote(info: dict[str, Any], zone: ZoneInfo) -> str:
    """ "Quote of ₹53,100.00 incl. GST ₹8,100.00 for “Gift wrapping”, valid until …, due …
    if approved": the price with its tax, the work, until when, the due date it brings."""
    price = quote_words(info, zone).removeprefix("a quote of ").split(" awaits ")[0]
    text = f"Quote of {price}"
    if info.get("description"):
        text += f" for “{str(info['description'])[:120]}”"
    text += f", valid until {_when(info.get('valid_until'), zone)}"
    if info.get("due_at"):
        text += f", due {_when(info['due_at'], zone)} if approved"
    return text


def _values(before: Any, after: Any, zone: ZoneInfo) -> str:
    if before is None and after is None:
        return ""
    if isinstance(after, dict):  # identifiers and flags are for machines, not for the page
        after = ", ".join(
            f"{k.replace('_', ' ')} {_value(v, zone)}"
            for k, v in after.items()
            if v not in ("", None) and not k.endswith("_id") and not isinstance(v, bool)
        )
    else:
        after = _value(after, zone)
    return f": {_value(before, zone)} → {after}" if before is not None else f": {after}"


SLA_WORDS = frozenset(
    {
        EventKind.SLA_WARNING,
        EventKind.SLA_BREACHED,
        EventKind.SLA_MET,
        EventKind.SLA_RESTARTED,
        EventKind.SLA_RECOMPUTED,
        EventKind.SLA_RESUMED,
    }
)


def _sla(kind: str, info: dict[str, Any], zone: ZoneInfo) -> str:
    """A target's clock: warned, breached, met, laid out again."""
    if kind == EventKind.SLA_WARNING:
        used = info.get("percent", 75)
        return (
            f"{_target(info)}: {used} % of the time used, due {_when(info.get('deadline'), zone)}"
        )
    if kind == EventKind.SLA_BREACHED:
        return f"{_target(info)} target breached"
    if kind == EventKind.SLA_MET:
        taken = display.duration(timedelta(seconds=int(info.get("business_seconds") or 0)))
        return f"{_target(info)} target met{' late' if info.get('late') else ''} ({taken})"
    verb = kind.removeprefix("sla_")
    return f"{_target(info)} target {verb}, due {_when(info.get('deadline'), zone)}"


HOUSEKEEPING = frozenset(
    {
        EventKind.TEAM,
        EventKind.DUE_PASSED,
        EventKind.UNROUTED,
        EventKind.PERSONAL_DATA_ERASED,
        EventKind.RETENTION_PURGED,
    }
)


def _housekeeping(kind: str, after: Any, teams: dict[int, str], zone: ZoneInfo) -> str:
    """Routing, due dates passing, personal data: in words, never ids or raw values."""
    info = after if isinstance(after, dict) else {}
    if kind == EventKind.TEAM:
        return f"Moved to the team {teams.get(after, 'another team')}" if after else "No team"
    if kind == EventKind.DUE_PASSED:
        return f"Due date passed ({_when(info.get('due_at'), zone)})"
    if kind == EventKind.UNROUTED:
        return "Nobody could take it: waits in the team's queue"
    what = f"{_counted(info.get('messages'), 'message')} and "
    what += _counted(info.get("attachments"), "attachment")
    if kind == EventKind.PERSONAL_DATA_ERASED:
        return f"Personal data erased: {what}"
    return f"Content removed after the retention period: {what}"


def event_text(
    event: TicketEvent,
    *,
    names: dict[int, str],
    zone: ZoneInfo,
    teams: dict[int, str] | None = None,
) -> str:
    kind, before, after = event.kind, event.before, event.after
    info = after if isinstance(after, dict) else {}
    if kind == EventKind.CREATED:
        text = f"Opened as {info.get('priority', '')}".strip()
    elif kind == EventKind.STATUS:
        text = f"Status {STATUS.get(str(before), before)} → {STATUS.get(str(after), after)}"
    elif kind in (EventKind.PRIORITY, EventKind.ISSUE_TYPE):
        text = f"{'Priority' if kind == EventKind.PRIORITY else 'Issue type'} {before} → {after}"
    elif kind == EventKind.DUE_DATE:
        text = f"Due date {_when(after, zone)}" if after else "Due date cleared"
        if before:
            text += f" (was {_when(before, zone)})"
    elif kind == EventKind.ASSIGNEE:
        text = f"Assigned to {names.get(after, 'staff')}" if after else "Unassigned"
    elif kind in (EventKind.MESSAGE, EventKind.NOTE):
        text = "Internal note" if kind == EventKind.NOTE else "Message"
        if info.get("question"):
            text = "Question to the merchant"
        elif info.get("kind") in ("workaround", "resolution"):
            text = f"{str(info['kind']).capitalize()} message"
    elif kind == EventKind.RATING:
        text = f"Rated {info.get('rating', '?')} of 5"
        if info.get("comment"):
            text += f": “{info['comment']}”"
    elif kind in SLA_WORDS:
        text = _sla(kind, info, zone)
    elif kind == EventKind.MERCHANT_ASKS_PRIORITY:
        text = f"Merchant asks for {info.get('asked', '?')} (now {info.get('current', '?')})"
    elif kind == EventKind.FOLLOW_UP_OF:
        text = f"Follow-up of {info.get('reference', 'a closed ticket')}"
    elif kind in ENGINEERING:
        refs = ", ".join(str(r) for r in info.get("dev_tickets") or [])
        text = ENGINEERING[kind] + (f" ({refs})" if refs else "")
    elif kind == EventKind.ENGINEERING_ETA:
        text = f"Engineering ETA {_when(info.get('eta'), zone)} ({info.get('dev_ticket', '')})"
    elif kind == EventKind.QUOTE:
        text = _quote(info, zone)
    elif kind in HOUSEKEEPING:
        text = _housekeeping(kind, after, teams or {}, zone)
    elif kind in PLAIN:
        text = PLAIN[kind]
    else:
        text = kind.replace("_", " ").capitalize() + _values(before, after, zone)
    return f"{text} — {event.reason}" if event.reason else text


def lines(events: list[TicketEvent], *, names: dict[int, str], zone: ZoneInfo) -> list[Line]:
    """The events in words; the teams' names are read (once) only when a team changed."""
    teams: dict[int, str] = {}
    if any(e.kind == EventKind.TEAM for e in events):
        teams = {t.pk: t.name for t in people.teams()}
    return [Line(e, event_text(e, names=names, zone=zone, teams=teams)) for e in events]
