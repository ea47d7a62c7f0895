"""Account-manager support, an add-on per store (docs/policy.md, "Account managers").

A merchant asks for it in the product (``support_request``): the request is recorded (who,
when, which store), admins and the leads of account-manager teams are told through the outbox,
and it shows as pending to the merchant. An admin assigns an account manager
(``account_manager_assign``): the subscription starts that day in the merchant's zone and the
request is done; another account manager the same month keeps the same subscription (no day is
charged twice); leaving the store without one ends the subscription that day. The ledger
charges by the day for a part month (``billing.ledger``); no account manager, no charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from helpline.account_management.models import SupportRequest
from helpline.accounts import access
from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import Role, User
from helpline.billing import selectors as billing_selectors
from helpline.billing import services as billing
from helpline.billing.models import Subscription
from helpline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpline.core.validation import has_nul
from helpline.core.zones import zone_or_default
from helpline.merchants import selectors as merchant_selectors
from helpline.merchants import services as merchants
from helpline.merchants.models import Merchant, Store
from helpline.outbox import services as outbox
from helpline.outbox.channels.email import payload as email_payload

NOTE_MAX = 2000


def support_request(*, actor: User, store: Store, note: str = "", now: datetime) -> SupportRequest:
    """A merchant user asks for account-manager support for ``store``."""
    if not access.may_file_for(actor, store):
        raise NotFound("store not found")
    if actor.role != Role.MERCHANT:
        raise Forbidden("merchant users ask for account-manager support", code="action_forbidden")
    note = (note or "").strip()
    if has_nul(note) or len(note) > NOTE_MAX:
        raise InvalidInput(
            f"note must be at most {NOTE_MAX} characters of text", code="invalid_note", field="note"
        )
    if store.account_manager_id is not None:
        raise Conflict(f"{store.name} has an account manager already", code="has_account_manager")
    try:
        with transaction.atomic():
            request = SupportRequest.objects.create(
                store=store, requested_by=actor, note=note, created_at=now
            )
            _tell_deciders(request, store=store, actor=actor, now=now)
    except IntegrityError:
        raise Conflict(
            f"account-manager support for {store.name} is requested already; an admin will "
            "assign an account manager",
            code="request_pending",
        ) from None
    return request


def _tell_deciders(request: SupportRequest, *, store: Store, actor: User, now: datetime) -> None:
    body = "\n".join(
        [
            f"{actor} ({actor.email}) of {store.merchant.name} asks for account-manager support "
            f"for the store {store.name}.",
            *([f"Their note: {request.note}", ""] if request.note else [""]),
            "Assign an account manager on the store's page in Helpline (My stores); the "
            "subscription starts the day you do.",
            "",
            "— Helpline",
        ]
    )
    for person in account_selectors.account_manager_deciders():
        outbox.enqueue(
            channel="email",
            kind="am_support_request",
            recipient=person.email,
            recipient_user_id=person.pk,
            payload=email_payload.plain(
                subject=f"{store.name}: account-manager support requested", body=body
            ),
            idempotency_key=f"amreq{request.pk}.email.u{person.pk}",
            now=now,
        )


@dataclass(frozen=True)
class Assignment:
    store: Store
    subscription: Subscription | None  # the running one (None: the store has no manager now)
    ended: Subscription | None  # the one this change ended


def account_manager_named(account_manager_id: int | None) -> User | None:
    """The active account manager with this id (None: none asked); 422 naming the field."""
    if account_manager_id is None:
        return None
    manager = account_selectors.active_user(account_manager_id, role=Role.ACCOUNT_MANAGER)
    if manager is None:
        raise InvalidInput(
            f"account_manager: user {account_manager_id} is not an active account manager",
            code="not_account_manager",
            field="account_manager",
        )
    return manager


def account_manager_assign(
    *,
    actor: User,
    store: Store,
    account_manager_id: int | None,
    monthly_charge_inr: Decimal | str | None = None,
    now: datetime,
) -> Assignment:
    """An admin gives ``store`` an account manager (None: none). The first one starts the
    subscription on the merchant's today; another keeps it; none ends it today."""
    if not access.may_file_for(actor, store):
        raise NotFound("store not found")
    if not access.is_admin(actor):
        raise Forbidden("admins assign account managers", code="action_forbidden")
    manager = account_manager_named(account_manager_id)
    charge = billing.charge_amount(
        settings.ACCOUNT_MANAGER_MONTHLY_CHARGE_INR
        if monthly_charge_inr is None
        else monthly_charge_inr
    )
    today = now.astimezone(zone_or_default(store.merchant.time_zone)).date()
    with transaction.atomic():
        store = merchant_selectors.store_locked(store.pk)
        merchants.store_assign_account_manager(store=store, account_manager=manager)
        if manager is None:
            ended = billing.subscription_close(store=store, ends_on=today)
            return Assignment(store=store, subscription=None, ended=ended)
        running = billing_selectors.running_subscription(store_id=store.pk)
        if running is None:
            running = billing.subscription_open(
                store=store, monthly_charge_inr=charge, starts_on=today, created_by=actor, now=now
            )
        SupportRequest.objects.filter(store=store, status=SupportRequest.Status.PENDING).update(
            status=SupportRequest.Status.ASSIGNED, handled_by=actor, handled_at=now
        )
        return Assignment(store=store, subscription=running, ended=None)


def store_open(
    *,
    actor: User,
    merchant: Merchant,
    name: str,
    url: str,
    account_manager_id: int | None = None,
    now: datetime,
) -> Store:
    """An admin adds a store, with its account manager if one is named: then the subscription
    starts the same day, as with any assignment (no manager without the add-on's charge)."""
    if not access.is_admin(actor):
        raise Forbidden("admins add stores", code="action_forbidden")
    manager = account_manager_named(account_manager_id)
    with transaction.atomic():
        store = merchants.store_create(merchant=merchant, name=name, url=url, now=now)
        if manager is not None:
            account_manager_assign(actor=actor, store=store, account_manager_id=manager.pk, now=now)
            store.refresh_from_db(fields=["account_manager"])
    return store
