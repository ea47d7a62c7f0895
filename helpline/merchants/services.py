"""Writes about merchants and stores."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import Role, User
from helpline.core import clock
from helpline.core.errors import Conflict, InvalidInput
from helpline.core.validation import has_nul
from helpline.core.zones import known_zone
from helpline.merchants.models import Contact, Merchant, Store

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def merchant_create(
    *, name: str, slug: str, time_zone: str = "Asia/Kolkata", now: datetime | None = None
) -> Merchant:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("a merchant needs a name", code="name_required")
    if has_nul(name):
        raise InvalidInput("text must not contain NUL characters", code="invalid_text")
    if not SLUG_RE.match(slug or ""):
        raise InvalidInput(
            f"slug {slug!r} must be lower-case letters, digits and hyphens (1–64)",
            code="invalid_slug",
        )
    if known_zone(time_zone) is None:
        raise InvalidInput(f"unknown time zone {time_zone!r}", code="invalid_time_zone")
    try:
        with transaction.atomic():
            return Merchant.objects.create(
                name=name[:200], slug=slug, time_zone=time_zone, created_at=now or clock.now()
            )
    except IntegrityError:
        raise Conflict(f"merchant {slug!r} exists already", code="merchant_exists") from None


def store_create(
    *,
    merchant: Merchant,
    name: str,
    url: str,
    account_manager: User | None = None,
    now: datetime | None = None,
) -> Store:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("a store needs a name", code="name_required")
    if has_nul(name) or has_nul(url):
        raise InvalidInput("text must not contain NUL characters", code="invalid_text")
    try:
        parts = urlsplit((url or "").strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise InvalidInput(f"{url!r} is not an http(s) URL", code="invalid_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{url!r} is not an http(s) URL", code="invalid_url")
    if account_manager is not None and account_manager.role != Role.ACCOUNT_MANAGER:
        raise InvalidInput(
            f"{account_manager.email} is not an account manager", code="not_account_manager"
        )
    try:
        with transaction.atomic():
            return Store.objects.create(
                merchant=merchant,
                name=name[:200],
                url=url.strip(),
                account_manager=account_manager,
                created_at=now or clock.now(),
            )
    except IntegrityError:
        raise Conflict(
            f"{merchant.slug} has a store named {name!r} already", code="store_exists"
        ) from None


def store_assign_account_manager(*, store: Store, account_manager: User | None) -> Store:
    if account_manager is not None and account_manager.role != Role.ACCOUNT_MANAGER:
        raise InvalidInput(
            f"{account_manager.email} is not an account manager", code="not_account_manager"
        )
    store.account_manager = account_manager
    store.save(update_fields=["account_manager"])
    return store


def contact_create(
    *,
    merchant: Merchant,
    email: str,
    name: str = "",
    default_store: Store | None = None,
    now: datetime | None = None,
) -> Contact:
    """An extra address whose mail goes to ``merchant`` (an admin adds it). A merchant user's
    own address may be added too, to name their default store — for their own merchant only."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = (email or "").strip().lower()
    if has_nul([email, name]):
        raise InvalidInput("text must not contain NUL characters", code="invalid_text")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(f"{email!r} is not an e-mail address", code="invalid_email") from None
    if default_store is not None and default_store.merchant_id != merchant.pk:
        raise InvalidInput(
            f"store {default_store.name!r} belongs to another merchant", code="invalid_store"
        )
    user = account_selectors.user_with_email(email)
    if user is not None and user.merchant_id != merchant.pk:
        raise Conflict(f"{email} is a user of another merchant or staff", code="contact_exists")
    try:
        with transaction.atomic():
            return Contact.objects.create(
                merchant=merchant,
                email=email,
                name=name.strip()[:200],
                default_store=default_store,
                created_at=now or clock.now(),
            )
    except IntegrityError:
        raise Conflict(f"{email} is a contact already", code="contact_exists") from None
