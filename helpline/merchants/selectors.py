"""Reads about merchants and stores, scoped by ``accounts.access``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import QuerySet

from helpline.accounts import access
from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import User
from helpline.core.errors import NotFound
from helpline.core.prepared import Prepared
from helpline.core.validation import id_in_range
from helpline.merchants.models import Contact, Merchant, Store


def visible_stores(user: User | None) -> QuerySet[Store]:
    return Store.objects.filter(access.store_scope(user)).select_related(
        "merchant", "account_manager"
    )


# Every ticket creation reads its store, hence a Prepared read.
_store_by_id: Prepared[Store] = Prepared(
    lambda store_id: Store.objects.select_related("merchant", "account_manager").filter(
        pk=store_id
    ),
    store_id=int,
)


def store_get(*, user: User | None, store_id: int) -> Store:
    """The store, if ``user`` may see it: ``access.may_file_for`` is ``store_scope``'s rule on
    the loaded row (one compiled read instead of a scoped query built per call)."""
    if not id_in_range(store_id):
        raise NotFound("store not found")
    found = _store_by_id(store_id=store_id)
    if not found or not access.may_file_for(user, found[0]):
        raise NotFound("store not found")
    return found[0]


def store_locked(store_id: int) -> Store:
    """The store's row, locked until the end of the caller's transaction (concurrent changes of
    its account manager wait for each other), with its merchant and account manager."""
    return (
        Store.objects.select_for_update(of=("self",))
        .select_related("merchant", "account_manager")
        .get(pk=store_id)
    )


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


# Mail ingestion asks these for every message, hence Prepared reads. An address is
# unique: a slice, not ``first()`` (no ORDER BY; decision 0070).
_contact_by_email: Prepared[Contact] = Prepared(
    lambda email: Contact.objects.filter(email=email).select_related("merchant", "default_store")[
        :1
    ],
    email=str,
)
_stores_of_merchant: Prepared[Store] = Prepared(
    lambda merchant_id: (
        Store.objects.select_related("merchant").filter(merchant_id=merchant_id).order_by("pk")
    ),
    merchant_id=int,
)


def contact_for_address(address: str) -> Sender | None:
    """The merchant an address belongs to: a ``Contact`` row, else an active merchant user."""
    address = (address or "").strip().lower()
    if not address:
        return None
    user = account_selectors.merchant_user_by_email(address)
    row = next(iter(_contact_by_email(email=address)), None)
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


def store_for_domain(domain: str, *, stores: Iterable[Store] | None = None) -> Store | None:
    """The store whose site is at ``domain`` (or a sub-domain of it, ``www.`` ignored), among
    ``stores`` (already loaded) or all stores."""
    domain = (domain or "").strip().lower().removeprefix("www.")
    if not domain:
        return None
    if stores is None:
        stores = Store.objects.select_related("merchant").filter(url__icontains=domain)
    for store in sorted(stores, key=lambda s: s.pk):
        host = _host(store.url)
        if host == domain or host.endswith("." + domain):
            return store
    return None


def store_of_merchant_for(merchant_id: int, domain: str) -> Store | None:
    """The merchant's store at ``domain`` (as ``store_for_domain``), else its first store: one
    read (a contact's mail names no store)."""
    stores = _stores_of_merchant(merchant_id=merchant_id)
    return store_for_domain(domain, stores=stores) or next(iter(stores), None)
