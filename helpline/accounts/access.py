"""Who may see and do what: the one place that decides (POLICY.md, "Who sees what").

Every read path filters with ``ticket_scope``/``store_scope``; every write asks ``capacity``.
What one may not see is answered exactly as if it did not exist (404); what one's role may not
do is 403; what the ticket's state does not allow is 409 (decided by the lifecycle).
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Q

from helpline.accounts.models import Role, User

Capacity = Literal["staff", "merchant", "engineer"]
STAFF_ROLES = frozenset({Role.AGENT, Role.ADMIN, Role.ACCOUNT_MANAGER})
# Staff who see (and act on) every ticket; account managers only those of their stores.
ALL_TICKETS_ROLES = frozenset({Role.AGENT, Role.ADMIN})

NOTHING = Q(pk__in=[])


def is_active(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


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
        from helpline.engineering.models import DevTicket

        return Q(pk__in=DevTicket.tickets.through.objects.values("ticket_id"))
    return NOTHING


def store_scope(user: User | None) -> Q:
    """A filter on Store that keeps the stores ``user`` may see (and file tickets for)."""
    if user is None or not is_active(user):
        return NOTHING
    if user.role in ALL_TICKETS_ROLES:
        return Q()
    if user.role == Role.ACCOUNT_MANAGER:
        return Q(account_manager_id=user.pk)
    if user.role == Role.MERCHANT:
        return Q(merchant_id=user.merchant_id) if user.merchant_id else NOTHING
    return NOTHING


def may_file_for(user: User | None, store: Any) -> bool:
    """May ``user`` open a ticket for ``store``? The same rule as ``store_scope``, on a loaded
    store (no query)."""
    if user is None or not is_active(user):
        return False
    if user.role in ALL_TICKETS_ROLES:
        return True
    if user.role == Role.ACCOUNT_MANAGER:
        return bool(store.account_manager_id == user.pk)
    if user.role == Role.MERCHANT:
        return bool(user.merchant_id and store.merchant_id == user.merchant_id)
    return False


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


def is_staff(user: User | None) -> bool:
    return is_active(user) and user is not None and user.role in STAFF_ROLES


def is_admin(user: User | None) -> bool:
    return is_active(user) and user is not None and user.role == Role.ADMIN


def sees_internal(user: User | None) -> bool:
    """Internal notes and internal events: everyone but merchant users."""
    return is_active(user) and user is not None and user.role != Role.MERCHANT


# ---------------------------------------------------------------- account management, engineering
# and quotes. Account managers see the stores they manage and everything about them; engineers see
# developer tickets and the merchant tickets linked to them, never billing.


def is_account_manager(user: User | None) -> bool:
    return is_active(user) and user is not None and user.role == Role.ACCOUNT_MANAGER


def manages_store(user: User | None, store: Any) -> bool:
    """May ``user`` act as the account manager of ``store`` (its notes, contact log, tasks,
    call requests)? Its account manager, and agents and admins (who stand in for them)."""
    if user is None or not is_active(user):
        return False
    if user.role in ALL_TICKETS_ROLES:
        return True
    return bool(user.role == Role.ACCOUNT_MANAGER and store.account_manager_id == user.pk)


def devticket_scope(user: User | None) -> Q:
    """A filter on DevTicket: engineers, agents and admins see every developer ticket; an
    account manager those linked to a ticket of a store they manage; merchants none."""
    if user is None or not is_active(user):
        return NOTHING
    if user.role in ALL_TICKETS_ROLES or user.role == Role.ENGINEER:
        return Q()
    if user.role == Role.ACCOUNT_MANAGER:
        from helpline.engineering.models import DevTicket

        mine = DevTicket.tickets.through.objects.filter(
            ticket__store__account_manager_id=user.pk
        ).values("devticket_id")
        return Q(pk__in=mine) | Q(created_by_id=user.pk)
    return NOTHING


def sees_engineering(user: User | None) -> bool:
    """Developer tickets exist for this user at all (not for merchants)."""
    return is_active(user) and user is not None and user.role != Role.MERCHANT


def may_escalate(user: User | None, ticket: Any) -> bool:
    """Open a developer ticket for ``ticket`` (escalate it): staff acting on it (its account
    manager, agents, admins)."""
    return capacity(user, ticket) == "staff"


def sees_billing(user: User | None) -> bool:
    """Quotes, subscriptions and charges: everyone but engineers (scoped further by store)."""
    return is_active(user) and user is not None and user.role != Role.ENGINEER


def quote_scope(user: User | None) -> Q:
    """A filter on Quote: the quotes of the tickets ``user`` sees, unless an engineer."""
    if not sees_billing(user):
        return NOTHING
    scope = ticket_scope(user)
    return Q(ticket__in=_tickets_where(scope)) if scope != Q() else Q()


def _tickets_where(scope: Q) -> Any:
    from helpline.tickets.models import Ticket

    return Ticket.objects.filter(scope).values("pk")
