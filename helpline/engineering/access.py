"""Who may see developer tickets and escalate a ticket to engineering, on top of
``accounts.access`` (roles) and ``tickets.access`` (who acts on a ticket)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from helpline.accounts.access import ALL_TICKETS_ROLES, NOTHING, is_active
from helpline.accounts.models import Role, User
from helpline.engineering.models import DevTicket
from helpline.tickets.access import capacity


def devticket_scope(user: User | None) -> Q:
    """A filter on DevTicket: engineers, agents and admins see every developer ticket; an
    account manager those linked to a ticket of a store they manage; merchants none."""
    if user is None or not is_active(user):
        return NOTHING
    if user.role in ALL_TICKETS_ROLES or user.role == Role.ENGINEER:
        return Q()
    if user.role == Role.ACCOUNT_MANAGER:
        mine = DevTicket.tickets.through.objects.filter(
            ticket__store__account_manager_id=user.pk
        ).values("devticket_id")
        return Q(pk__in=mine) | Q(created_by_id=user.pk)
    return NOTHING


def may_escalate(user: User | None, ticket: Any) -> bool:
    """Open a developer ticket for ``ticket`` (escalate it): staff acting on it (its account
    manager, agents, admins)."""
    return capacity(user, ticket) == "staff"
