"""How the web shows a ticket's clocks: countdowns, breach flags, the viewer's time zone.

Presentation only: it reads the clocks the selectors prefetched (no query per row) and turns
them into words. What a deadline *is* was decided by the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse

from helpline.accounts.models import User
from helpline.core import display
from helpline.sla.defaults import FIRST_RESPONSE, RESOLUTION
from helpline.tickets import selectors
from helpline.tickets.models import OPEN_STATUSES, Status, Ticket, TicketClock

# Attachments a ticket page shows inline as an <img> (views.attachments, ``?preview=1``):
# raster formats only (an SVG is a document that may run script).
PREVIEWABLE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
LABELS = {FIRST_RESPONSE: "First response", RESOLUTION: "Resolution"}
# A pending deadline this near is "due soon" (amber), as in the console's "Due soon" queue.
DUE_SOON = timedelta(hours=2)


@dataclass(frozen=True)
class ClockView:
    kind: str
    label: str
    state: str  # running, paused, met, breached, stopped
    deadline: datetime | None
    breached: bool
    text: str
    ticking: bool  # still pending with a deadline: the browser keeps the countdown live


def clock_view(clk: TicketClock, now: datetime) -> ClockView:
    """The words the page starts with; static/web/countdown.js recomputes the same words
    (``due in …`` / ``overdue by …``) from ``deadline`` while the page stays open."""
    state = clk.state
    ticking = (
        clk.deadline is not None
        and clk.met_at is None
        and clk.stopped_at is None
        and clk.paused_since is None
    )
    overdue = ticking and clk.deadline is not None and clk.deadline <= now
    breached = state == "breached" or overdue
    if ticking and clk.deadline is not None:
        if clk.deadline > now:
            text = f"due in {display.duration(clk.deadline - now)}"
        else:
            text = f"overdue by {display.duration(now - clk.deadline)}"
    elif state == "breached":
        text = "breached, met late" if clk.met_at is not None else "breached"
    elif state == "met":
        text = "met"
    elif state == "stopped":
        text = "stopped"
    elif state == "paused":
        text = "paused (waiting)"
    else:
        text = "no deadline"
    return ClockView(
        clk.kind,
        LABELS.get(clk.kind, clk.kind),
        "breached" if breached else state,
        clk.deadline,
        breached,
        text,
        ticking,
    )


@dataclass(frozen=True)
class TicketRow:
    ticket: Ticket
    clocks: list[ClockView]
    next: ClockView | None  # the nearest pending deadline, else a paused clock
    breached: bool  # a target missed, pending or met late
    due: ClockView | None  # the due date promised to the merchant, counting while open
    # By the nearest pending deadline only: "overdue" (red), "soon" (amber, within DUE_SOON)
    # or "" — a target met, even late, is no longer urgent.
    urgency: str = ""


def due_view(ticket: Ticket, now: datetime) -> ClockView | None:
    """The due date as a countdown: it is a promise, not an SLA target, so "overdue" is all
    it can become; it stops counting once the ticket is resolved."""
    if ticket.due_at is None or ticket.needs_due_date:  # none given, or a new one to be set
        return None
    open_ = ticket.status in OPEN_STATUSES
    overdue = open_ and ticket.due_at <= now
    if not open_:
        text = "resolved" if ticket.status == Status.RESOLVED else "closed"
    elif overdue:
        text = f"overdue by {display.duration(now - ticket.due_at)}"
    else:
        text = f"due in {display.duration(ticket.due_at - now)}"
    state = "breached" if overdue else "running" if open_ else "met"
    return ClockView("due_date", "Due date", state, ticket.due_at, overdue, text, open_)


def ticket_row(ticket: Ticket, now: datetime) -> TicketRow:
    views = [
        clock_view(clk, now)
        for kind in (FIRST_RESPONSE, RESOLUTION)
        if (clk := selectors.current_clock(ticket, kind)) is not None
    ]
    breached = any(v.breached for v in views)
    pending = sorted(
        (v for v in views if v.ticking and v.deadline is not None),
        key=lambda v: v.deadline or now,
    )
    nxt = pending[0] if pending else next((v for v in views if v.state == "paused"), None)
    urgency = ""
    if pending and (deadline := pending[0].deadline) is not None:
        urgency = "overdue" if deadline <= now else "soon" if deadline - now <= DUE_SOON else ""
    return TicketRow(ticket, views, nxt, breached, due_view(ticket, now), urgency)


def care_context(user: User, ticket: Ticket) -> dict[str, Any]:
    """A ticket page's care panel: "with engineering" (everyone), the developer tickets
    (not merchants), the quotes (not engineers)."""
    from helpline.accounts import access
    from helpline.billing import selectors as billing
    from helpline.engineering import selectors as engineering

    return {
        "engineering": engineering.engineering_state([ticket.pk]).get(ticket.pk, ""),
        "dev_tickets": engineering.for_ticket(user=user, ticket=ticket),
        "quotes": billing.quotes_of(user=user, ticket_id=ticket.pk)
        if access.sees_billing(user)
        else [],
    }


def requester_context(user: User, ticket: Ticket) -> dict[str, Any]:
    """The agent's requester panel: who filed the ticket (phone, WhatsApp) and the merchant's
    other tickets, newest first, through the same scoped read as every list."""
    others = (
        selectors.visible_tickets(user)
        .filter(merchant_id=ticket.merchant_id)
        .exclude(pk=ticket.pk)
        .select_related("store")
        .order_by("-pk")[:OTHER_TICKETS]
    )
    return {"requester": ticket.requester, "other_tickets": list(others)}


OTHER_TICKETS = 8


AT_RISK = timedelta(hours=2)  # a deadline this close is on the to-do list (the queue's "due soon")


# ---------------------------------------------------------------- the account manager's to-do


@dataclass(frozen=True)
class Todo:
    kind: str  # call, breached, at_risk, task
    text: str
    href: str
    urgent: bool


def _at_risk(row: TicketRow, now: datetime) -> bool:
    nxt = row.next
    return bool(nxt and nxt.ticking and nxt.deadline and now < nxt.deadline <= now + AT_RISK)


def am_todo(home: Any, rows: list[TicketRow], now: datetime) -> list[Todo]:
    """What waits on an account manager, most urgent first: breached tickets of their stores,
    tickets whose next deadline is near, open call requests, follow-ups not yet done."""
    out: list[Todo] = []
    for row in rows:
        ref, link = row.ticket.reference, reverse("web:console-ticket", args=[row.ticket.pk])
        where = f"{row.ticket.subject} ({row.ticket.store.name})"
        if row.breached:
            label = row.next.label.lower() if row.next else "a target"
            out.append(Todo("breached", f"{ref} breached {label}: {where}", link, True))
        elif _at_risk(row, now):
            assert row.next is not None  # noqa: S101 - _at_risk saw it
            text = f"{ref} {row.next.label.lower()} {row.next.text}: {where}"
            out.append(Todo("at_risk", text, link, True))
    for call in home.call_requests:
        if call.status != "open":
            continue
        who = call.requested_by or "The merchant"
        text = f"Call {who} back ({call.store.name}): {call.preferred_times}"
        href = reverse("web:am-store", args=[call.store_id]) + "#calls-h"
        out.append(Todo("call", text, href, False))
    for task in home.tasks:
        href = reverse("web:am-store", args=[task.store_id]) + "#log-h"
        out.append(Todo("task", f"{task.title} ({task.store.name})", href, False))
    order = {"breached": 0, "at_risk": 1, "call": 2, "task": 3}
    return sorted(out, key=lambda t: order[t.kind])  # stable: by priority within a kind
