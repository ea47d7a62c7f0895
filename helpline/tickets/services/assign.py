"""Assignment decided elsewhere (routing, above tickets): ``ticket_assign`` writes the owner a
decision chose, with its reason; ``ticket_unrouted`` records that nobody could be chosen."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

from django.db import transaction

from helpline.accounts.models import Team, User
from helpline.core import clock
from helpline.tickets import events as kinds
from helpline.tickets.models import OPEN_STATUSES, Ticket
from helpline.tickets.services.change import TicketChange
from helpline.tickets.services.fields import set_assignee, set_team

UNSET: Any = object()


def _unless_fresh(fresh: bool) -> AbstractContextManager[Any]:
    """A savepoint of its own, unless the ticket is the caller's fresh one (its transaction
    holds: a failure rolls the creation back with it)."""
    return nullcontext() if fresh else transaction.atomic()


def _change(
    ticket: Ticket | int, *, actor: User | None, now: datetime, fresh: bool
) -> TicketChange:
    if fresh:
        if not isinstance(ticket, Ticket):
            raise TypeError("a fresh ticket is one in hand")
        return TicketChange.fresh(ticket, actor=actor, now=now)
    return TicketChange.lock(ticket, actor=actor, now=now)


def ticket_assign(
    *,
    ticket: Ticket | int,
    assignee: User | int | None,
    reason: str,
    actor: User | None = None,
    team: Team | int | None = UNSET,
    expect_assignee: int | None = UNSET,
    now: datetime | None = None,
    fresh: bool = False,
) -> Ticket | None:
    """Give an open ticket its owner (and team), with the reason of the choice: one
    ``assignee`` event (internal). ``expect_assignee``: only if the ticket's assignee is still
    that one when its row is locked — two workers deciding at once leave one owner, the first.
    Returns the ticket, or None when nothing was written (closed, or someone else was first).
    ``fresh``: ``ticket`` was created in the caller's transaction (``TicketChange.fresh``)."""
    now = now or clock.now()
    with _unless_fresh(fresh):
        change = _change(ticket, actor=actor, now=now, fresh=fresh)
        locked = change.ticket
        if locked.status not in OPEN_STATUSES:
            return None
        if expect_assignee is not UNSET and locked.assignee_id != expect_assignee:
            return None
        if team is not UNSET:
            set_team(change, team)
        set_assignee(change, assignee, reason=reason)
        if not change.changed:
            return None
        change.save()
    return locked


def ticket_unrouted(
    *,
    ticket: Ticket | int,
    reason: str,
    notify: bool,
    team: Team | int | None = UNSET,
    now: datetime | None = None,
    fresh: bool = False,
) -> Ticket:
    """Automatic assignment found nobody: the ticket waits in its team's queue (``team`` set
    if given). ``notify``: its lead (else the admins) hear of it — the caller says once.
    ``fresh``: as for ``ticket_assign``."""
    now = now or clock.now()
    with _unless_fresh(fresh):
        change = _change(ticket, actor=None, now=now, fresh=fresh)
        if team is not UNSET:
            set_team(change, team)
        change.add(kinds.unrouted(team=change.ticket.team_id, reason=reason, notify=notify))
        change.save(touch_ticket=change.changed)
    return change.ticket
