"""The lifecycle actions of docs/policy.md's table that are the tickets' own, one service each:
triage, start, workaround, resolve, close, reopen, withdraw. (Quotes and their decisions are
billing's services; escalation is engineering's.) Each locks the ticket, checks who may take
the action now (404, 403, 409), changes the ticket and its clocks, and writes its events."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from helpline.accounts.models import Team, User
from helpline.core import clock
from helpline.core.errors import InvalidInput
from helpline.sla.defaults import RESOLUTION
from helpline.tickets import clocks
from helpline.tickets import events as kinds
from helpline.tickets.models import Channel, MessageKind, Ticket
from helpline.tickets.services.change import ActionChange
from helpline.tickets.services.checks import BODY_MAX, policy_for, text
from helpline.tickets.services.fields import change_priority, set_assignee, set_team
from helpline.tickets.services.messages import add_message

WORKAROUND_DUE = "workaround recorded: the C2 resolution deadline"


def ticket_triage(
    *,
    actor: User | None,
    ticket: Ticket,
    reason: str = "",
    priority: str | None = None,
    issue_type: str | None = None,
    assignee: User | int | None = None,
    team: Team | int | None = None,
    due_at: datetime | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Staff triage a new ticket: priority and issue type (a change needs a reason), assignee,
    team, and the due date (by default the policy's resolution deadline)."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        change = ActionChange.begin("triage", actor=actor, ticket=ticket, now=now)
        change_priority(change, priority=priority, issue_type=issue_type, reason=reason)
        set_assignee(change, assignee)
        if team is not None:
            set_team(change, team)
        change.set_due(due_at, reason, default=True)
        return change.finish(reason=reason)


def ticket_start(
    *, actor: User | None, ticket: Ticket, reason: str = "", now: datetime | None = None
) -> Ticket:
    """Staff start work on a new or triaged ticket."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        change = ActionChange.begin("start", actor=actor, ticket=ticket, now=now)
        return change.finish(reason=reason)


def ticket_workaround(
    *,
    actor: User | None,
    ticket: Ticket,
    message: str | None,
    reason: str = "",
    now: datetime | None = None,
) -> Ticket:
    """C1: a workaround (a message to the merchant) meets the resolution target and the ticket
    drops to C2, whose resolution target starts now (the C1 targets stay met or breached); a
    due date given moves to that C2 resolution deadline."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        change = ActionChange.begin("workaround", actor=actor, ticket=ticket, now=now)
        body = text(message, "message", BODY_MAX)
        add_message(
            change, body=body, kind=MessageKind.WORKAROUND, from_staff=True, channel=Channel.API
        )
        ticket = change.ticket
        change.meet(RESOLUTION)
        change.add(kinds.workaround(reason=reason))
        change.add(kinds.priority(before=ticket.priority, after="C2", reason="workaround recorded"))
        change.set("priority", "C2")
        spec = policy_for(ticket).targets_for("C2", ticket.issue_type)[RESOLUTION]
        fresh = change.restart(RESOLUTION, spec)
        change.add(kinds.sla_restarted(target=RESOLUTION, priority="C2", deadline=fresh.deadline))
        if ticket.due_at is not None and fresh.deadline is not None:  # given on triage
            change.set_due(fresh.deadline, WORKAROUND_DUE)
        return change.finish(reason=reason)


def ticket_resolve(
    *,
    actor: User | None,
    ticket: Ticket,
    message: str | None,
    reason: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Staff resolve the ticket with a resolution message to the merchant."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        change = ActionChange.begin("resolve", actor=actor, ticket=ticket, now=now)
        body = text(message, "message", BODY_MAX)
        add_message(
            change, body=body, kind=MessageKind.RESOLUTION, from_staff=True, channel=Channel.API
        )
        change.meet(RESOLUTION)
        change.set("resolved_at", now)
        change.add(kinds.resolved(reason=reason))
        return change.finish(reason=reason)


def ticket_close(
    *,
    actor: User | None,
    ticket: Ticket,
    rating: int | None = None,
    comment: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> Ticket:
    """The merchant (or the system, after the resolved ticket was left unanswered) closes a
    resolved ticket, maybe rating the support (1–5) with a comment."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        change = ActionChange.begin("close", actor=actor, ticket=ticket, now=now)
        if rating is not None and not (isinstance(rating, int) and 1 <= rating <= 5):
            raise InvalidInput("rating must be a whole number from 1 to 5", code="invalid_rating")
        change.set("closed_at", now)
        if rating is not None or comment.strip():
            change.set("rating", rating)
            change.set("rating_comment", comment.strip())
            change.add(kinds.rating(rating=rating, comment=comment.strip()))
        return change.finish(reason=reason)


def ticket_reopen(
    *, actor: User | None, ticket: Ticket, reason: str = "", now: datetime | None = None
) -> Ticket:
    """The merchant reopens a resolved ticket: back in progress, the resolution target resumes."""
    now = now or clock.now()
    reason = (reason or "").strip() or "reopened by the merchant"
    with transaction.atomic():
        change = ActionChange.begin("reopen", actor=actor, ticket=ticket, now=now)
        change.reopen(reason=reason)
        return change.finish(reason=reason)


def ticket_withdraw(
    *, actor: User | None, ticket: Ticket, reason: str = "", now: datetime | None = None
) -> Ticket:
    """The merchant withdraws an open ticket: closed, its clocks stopped unmet."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        change = ActionChange.begin("withdraw", actor=actor, ticket=ticket, now=now)
        change.each_clock(clocks.stop)
        change.set("closed_at", now)
        change.add(kinds.withdrawn(reason=reason))
        return change.finish(reason=reason)
