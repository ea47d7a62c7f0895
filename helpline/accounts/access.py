"""Who may see and do what, for people and stores (docs/policy.md, "Who sees what").

This module decides what concerns people (roles, active accounts) and merchant scoping (which
stores one sees, files for or manages); it imports no higher app. Who may see a ticket, and in
what capacity one acts on it, is decided on top of these rules in ``tickets.access``; developer
tickets in ``engineering.access``, quotes in ``billing.access``.
What one may not see is answered exactly as if it did not exist (404); what one's role may not
do is 403; what the ticket's state does not allow is 409 (decided by the lifecycle).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from helpline.accounts.models import Role, User

STAFF_ROLES = frozenset({Role.AGENT, Role.ADMIN, Role.ACCOUNT_MANAGER})
# Staff who see (and act on) every ticket; account managers only those of their stores.
ALL_TICKETS_ROLES = frozenset({Role.AGENT, Role.ADMIN})

NOTHING = Q(pk__in=[])


def is_active(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


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


def is_staff(user: User | None) -> bool:
    return is_active(user) and user is not None and user.role in STAFF_ROLES


def sees_all_tickets(user: User | None) -> bool:
    """Agents and admins: every ticket, every store's outages and their root-cause reports."""
    return is_active(user) and user is not None and user.role in ALL_TICKETS_ROLES


def is_admin(user: User | None) -> bool:
    return is_active(user) and user is not None and user.role == Role.ADMIN


def sees_internal(user: User | None) -> bool:
    """Internal notes and internal events: everyone but merchant users."""
    return is_active(user) and user is not None and user.role != Role.MERCHANT


# ---------------------------------------------------------------- account management, engineering
# Account managers see the stores they manage and everything about them; engineers see developer
# tickets and the merchant tickets linked to them, never billing.


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


def sees_engineering(user: User | None) -> bool:
    """Developer tickets exist for this user at all (not for merchants)."""
    return is_active(user) and user is not None and user.role != Role.MERCHANT


def sees_billing(user: User | None) -> bool:
    """Quotes, subscriptions and charges: everyone but engineers (scoped further by store)."""
    return is_active(user) and user is not None and user.role != Role.ENGINEER
