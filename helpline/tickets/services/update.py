"""Staff change a ticket's fields outside the lifecycle: ``ticket_update``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from helpline.accounts.models import Team, User
from helpline.core import clock
from helpline.core.errors import Forbidden, TransitionRefused
from helpline.tickets import lifecycle
from helpline.tickets.models import Status, Ticket
from helpline.tickets.services.change import TicketChange, lock_ticket
from helpline.tickets.services.checks import capacity_or_404, refuse_closed
from helpline.tickets.services.fields import change_priority, set_assignee, set_team

UNSET: Any = object()


def ticket_update(
    *,
    actor: User | None,
    ticket: Ticket,
    reason: str = "",
    priority: str | None = None,
    issue_type: str | None = None,
    team: Team | int | None = UNSET,
    assignee: User | int | None = UNSET,
    due_at: datetime | None = UNSET,
    now: datetime | None = None,
) -> Ticket:
    """Staff change the priority or issue type (with a reason), team, assignee, or due date
    (with a reason). A value the ticket already has is no change: nothing is written."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        cap = capacity_or_404(actor, ticket)
        if cap != "staff":
            raise Forbidden("only staff change a ticket's fields", code="action_forbidden")
        refuse_closed(ticket, "changing it")
        change = TicketChange(ticket, actor, now)
        change.record_passed()
        if priority or issue_type:
            change_priority(change, priority=priority, issue_type=issue_type, reason=reason)
        if team is not UNSET:
            set_team(change, team)
        if assignee is not UNSET:
            set_assignee(change, assignee)
        if due_at is not UNSET:
            if ticket.status == Status.NEW:
                raise TransitionRefused(
                    "the due date is assigned on triage",
                    allowed=lifecycle.allowed_actions(cap, ticket.status, ticket.priority),
                )
            change.set_due(due_at, reason)
        if change.changed:  # the values it already has: nothing moves, nobody is told
            change.save()
    return ticket
