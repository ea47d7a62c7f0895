"""Reads about merchants and stores, scoped by ``accounts.access``."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import QuerySet

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core.errors import InvalidInput, NotFound
from helpline.core.validation import id_in_range
from helpline.merchants.models import Contact, Merchant, Store


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


@dataclass(frozen=True)
class Sender:
    """Who a mail address is to us: a contact of ``merchant`` (``user`` if they sign in)."""

    merchant: Merchant
    user: User | None
    default_store: Store | None


def contact_for_address(address: str) -> Sender | None:
    """The merchant an address belongs to: a ``Contact`` row, else an active merchant user."""
    address = (address or "").strip().lower()
    if not address:
        return None
    # Both addresses are unique: a slice, not ``first()`` (no ORDER BY to build and run; mail
    # ingestion calls this for every message, decision 0070).
    user = next(
        iter(
            User.objects.filter(
                email=address, is_active=True, merchant__isnull=False
            ).select_related("merchant")[:1]
        ),
        None,
    )
    row = next(
        iter(Contact.objects.filter(email=address).select_related("merchant", "default_store")[:1]),
        None,
    )
    if row is not None:
        return Sender(
            merchant=row.merchant,
            user=user if user is not None and user.merchant_id == row.merchant_id else None,
            default_store=row.default_store,
        )
    if user is not None and user.merchant is not None:
        return Sender(merchant=user.merchant, user=user, default_store=None)
    return None


def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def store_for_domain(domain: str, *, merchant_id: int | None = None) -> Store | None:
    """The store whose site is at ``domain`` (or a sub-domain of it, ``www.`` ignored)."""
    domain = (domain or "").strip().lower().removeprefix("www.")
    if not domain:
        return None
    stores = Store.objects.select_related("merchant").order_by("pk")
    if merchant_id is not None:
        stores = stores.filter(merchant_id=merchant_id)
    else:
        stores = stores.filter(url__icontains=domain)
    for store in stores:
        host = _host(store.url)
        if host == domain or host.endswith("." + domain):
            return store
    return None


def first_store(merchant_id: int) -> Store | None:
    return (
        Store.objects.filter(merchant_id=merchant_id)
        .select_related("merchant")
        .order_by("pk")
        .first()
    )


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
