"""Writes about merchants and stores."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction

from helpline.accounts.models import Role, User
from helpline.core import clock
from helpline.core.errors import Conflict, InvalidInput
from helpline.core.validation import has_nul
from helpline.merchants.models import Merchant, Store

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
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {time_zone!r}", code="invalid_time_zone") from None
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
