"""Who may see a ticket, and in what capacity one acts on it: the one place that decides for
tickets (docs/policy.md, "Who sees what"), on top of ``accounts.access`` (roles, stores).

Every read path filters with ``ticket_scope``; every write asks ``capacity``. What one may not
see is answered exactly as if it did not exist (404); what one's role may not do is 403; what the
ticket's state does not allow is 409 (decided by the lifecycle).
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Q

from helpline.accounts.access import ALL_TICKETS_ROLES, NOTHING, is_active
from helpline.accounts.models import Role, User
from helpline.tickets.models import Ticket

Capacity = Literal["staff", "merchant", "engineer"]


def ticket_scope(user: User | None) -> Q:
    """A filter on Ticket that keeps exactly the tickets ``user`` may see."""
    if user is None or not is_active(user):
        return NOTHING
    if user.role in ALL_TICKETS_ROLES:
        return Q()
    if user.role == Role.ACCOUNT_MANAGER:
        return Q(store__account_manager_id=user.pk)
    if user.role == Role.MERCHANT:
        return Q(merchant_id=user.merchant_id) if user.merchant_id else NOTHING
    if user.role == Role.ENGINEER:
        # The tickets linked to a developer ticket: the link table, read through the reverse
        # side of engineering's many-to-many (tickets imports nothing of engineering).
        links = Ticket.dev_tickets.through.objects.values("ticket_id")
        return Q(pk__in=links)
    return NOTHING


def capacity(user: User | None, ticket: Any) -> Capacity | None:
    """In what capacity ``user`` acts on ``ticket`` (None: may not see it at all)."""
    if user is None or not is_active(user):
        return None
    if user.role in ALL_TICKETS_ROLES:
        return "staff"
    if user.role == Role.ACCOUNT_MANAGER:
        return "staff" if ticket.store.account_manager_id == user.pk else None
    if user.role == Role.MERCHANT:
        return "merchant" if user.merchant_id and ticket.merchant_id == user.merchant_id else None
    if user.role == Role.ENGINEER:
        return "engineer" if ticket.dev_tickets.exists() else None
    return None


def visible_ticket_ids(user: User | None) -> Any:
    """The primary keys of the tickets ``user`` sees, as a subquery."""
    return Ticket.objects.filter(ticket_scope(user)).values("pk")
