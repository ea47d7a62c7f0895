"""Reads about merchants and stores, scoped by ``accounts.access``."""

from __future__ import annotations

from django.db.models import QuerySet

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core.errors import InvalidInput, NotFound
from helpline.core.validation import id_in_range
from helpline.merchants.models import Merchant, Store


def visible_stores(user: User | None) -> QuerySet[Store]:
    return Store.objects.filter(access.store_scope(user)).select_related(
        "merchant", "account_manager"
    )


def store_get(*, user: User | None, store_id: int) -> Store:
    if not id_in_range(store_id):
        raise NotFound("store not found")
    store = visible_stores(user).filter(pk=store_id).first()
    if store is None:
        raise NotFound("store not found")
    return store


def merchant_by_slug(slug: str) -> Merchant:
    merchant = Merchant.objects.filter(slug=slug).first()
    if merchant is None:
        raise NotFound(f"merchant {slug!r} not found")
    return merchant


def merchant_user(user_id: int) -> User:
    """A merchant user named in a request body (422 when there is none)."""
    user = (
        User.objects.filter(pk=user_id, role="merchant", is_active=True).first()
        if id_in_range(user_id)
        else None
    )
    if user is None:
        raise InvalidInput(f"no merchant user with id {user_id}", code="invalid_requester")
    return user


def users_of(merchant_id: int) -> list[User]:
    """The merchant's active users (a ticket raised on their behalf names one)."""
    return list(
        User.objects.filter(merchant_id=merchant_id, role="merchant", is_active=True).order_by(
            "first_name", "email"
        )
    )
