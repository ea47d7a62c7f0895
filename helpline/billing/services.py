"""Writes about quotes. The ticket lifecycle (tickets.services) calls these."""

from __future__ import annotations

import ipaddress
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from helpline.accounts import access
from helpline.billing.models import Quote, Subscription
from helpline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpline.core.validation import bounded_instant, has_nul


def quote_create(
    *,
    ticket_id: int,
    amount_inr: Decimal | str | float,
    description: str,
    valid_until: datetime,
    actor_id: int | None,
    now: datetime,
) -> Quote:
    try:
        amount = Decimal(str(amount_inr)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            f"amount {amount_inr!r} is not a number", code="invalid_amount"
        ) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        raise InvalidInput("a quote's amount must be positive (INR)", code="invalid_amount")
    if has_nul(description):
        raise InvalidInput("text must not contain NUL characters", code="invalid_text")
    if not (description or "").strip():
        raise InvalidInput("a quote needs a description of the work", code="description_required")
    try:
        valid_until = bounded_instant(valid_until)
    except ValueError as exc:
        raise InvalidInput(f"valid_until {exc}", code="invalid_valid_until") from None
    if valid_until <= now:
        raise InvalidInput(
            "a quote must be valid until a time in the future", code="invalid_valid_until"
        )
    return Quote.objects.create(
        ticket_id=ticket_id,
        amount_inr=amount,
        description=description.strip(),
        valid_until=valid_until,
        created_by_id=actor_id,
        created_at=now,
    )


def quote_decide(
    *,
    ticket_id: int,
    status: str,
    actor_id: int | None,
    reason: str,
    now: datetime,
    via: str = "",
    ip: str | None = None,
) -> Quote:
    quote = (
        Quote.objects.select_for_update()
        .filter(ticket_id=ticket_id, status=Quote.Status.PENDING)
        .first()
    )
    if quote is None:
        raise NotFound("this ticket has no pending quote", code="no_pending_quote")
    quote.status = status
    quote.decided_by_id = actor_id
    quote.decided_at = now
    quote.decision_reason = reason
    quote.decided_via = via if via in Quote.Via.values else ""
    quote.decided_ip = _ip_or_none(ip)
    quote.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "decided_via",
            "decided_ip",
        ]
    )
    return quote


def quotes_due_for_expiry(*, now: datetime, limit: int = 500) -> list[int]:
    """Ticket ids whose pending quote is past its validity."""
    return list(
        Quote.objects.filter(status=Quote.Status.PENDING, valid_until__lte=now)
        .order_by("valid_until")
        .values_list("ticket_id", flat=True)[:limit]
    )


def _ip_or_none(raw: str | None) -> str | None:
    """The client's address as recorded (anything that is not an address: not recorded)."""
    if not raw:
        return None
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


# ---------------------------------------------------------------- subscriptions


def subscription_start(
    *,
    actor: Any,
    store: Any,
    monthly_charge_inr: Decimal | str | float,
    starts_on: date,
    now: datetime,
) -> Subscription:
    """Account-manager support for a store from ``starts_on``'s month, charged monthly. Admins
    record it (the platform bills); one running subscription per store."""
    if not access.may_file_for(actor, store):
        raise NotFound("store not found")
    if not access.is_admin(actor):
        raise Forbidden("admins record subscriptions", code="action_forbidden")
    amount = _amount(monthly_charge_inr)
    try:
        with transaction.atomic():
            return Subscription.objects.create(
                store=store,
                monthly_charge_inr=amount,
                starts_on=starts_on.replace(day=1),
                created_by=actor,
                created_at=now,
            )
    except IntegrityError:
        raise Conflict(
            f"{store.name} has a running subscription already", code="subscription_exists"
        ) from None


def subscription_end(
    *, actor: Any, subscription: Subscription, ends_on: date, now: datetime
) -> Subscription:
    """The last month charged is ``ends_on``'s."""
    if not access.may_file_for(actor, subscription.store):
        raise NotFound("subscription not found")
    if not access.is_admin(actor):
        raise Forbidden("admins record subscriptions", code="action_forbidden")
    if subscription.ends_on is not None:
        raise Conflict("this subscription has ended already", code="subscription_ended")
    ends_on = ends_on.replace(day=1)
    if ends_on < subscription.starts_on:
        raise InvalidInput("a subscription ends after it starts", code="invalid_ends_on")
    with transaction.atomic():
        subscription.ends_on = ends_on
        subscription.save(update_fields=["ends_on"])
    return subscription


def _amount(raw: Decimal | str | float) -> Decimal:
    try:
        amount = Decimal(str(raw)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"amount {raw!r} is not a number", code="invalid_amount") from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        raise InvalidInput("a charge must be positive (INR)", code="invalid_amount")
    return amount
