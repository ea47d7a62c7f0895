"""Writes about quotes and subscriptions.

A quote is a lifecycle action on its ticket (docs/policy.md's table: quote, approve, decline,
expire): each service here locks the ticket and checks the action through the tickets' change
API (``tickets.services.change.ActionChange``), writes the quote, and records the ticket's event
and new status in the same transaction."""

from __future__ import annotations

import ipaddress
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from helpline.accounts.models import User
from helpline.billing.models import Quote, Subscription
from helpline.core import clock
from helpline.core.errors import Conflict, InvalidInput, NotFound
from helpline.core.validation import bounded_instant, has_control
from helpline.sla.defaults import FIRST_RESPONSE
from helpline.tickets import events
from helpline.tickets.models import Ticket
from helpline.tickets.services.change import ActionChange, lock_ticket

QUOTE_APPROVED = "quote approved"


def _valid_quote(
    amount_inr: Decimal | str | float | None,
    description: str | None,
    valid_until: datetime | None,
    now: datetime,
) -> tuple[Decimal, str, datetime]:
    if amount_inr is None or description is None or valid_until is None:
        raise InvalidInput(
            "a quote needs amount_inr, description and valid_until", code="quote_incomplete"
        )
    valid_until = clock.ensure_aware(valid_until, name="valid_until")
    try:
        amount = Decimal(str(amount_inr)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            f"amount {amount_inr!r} is not a number", code="invalid_amount"
        ) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        raise InvalidInput("a quote's amount must be positive (INR)", code="invalid_amount")
    if has_control(description):
        raise InvalidInput("text must not contain control characters (NUL, …)", code="invalid_text")
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
    return amount, description.strip(), valid_until


def _valid_quote_due(due_at: datetime | None, valid_until: datetime) -> datetime | None:
    """A quote's due date lies after its validity: whenever the merchant approves, it is still
    ahead (decision 0096)."""
    if due_at is None:
        return None
    due_at = clock.ensure_aware(due_at, name="due_at")
    try:
        due_at = bounded_instant(due_at)
    except ValueError as exc:
        raise InvalidInput(f"due_at {exc}", code="invalid_due_at", field="due_at") from None
    if due_at <= valid_until:
        raise InvalidInput(
            "a quote's due_at must be later than its valid_until (the due date must still be "
            "ahead when the merchant approves)",
            code="invalid_due_at",
            field="due_at",
        )
    return due_at


def quote_create(
    *,
    actor: User | None,
    ticket: Ticket,
    amount_inr: Decimal | str | float | None,
    description: str | None,
    valid_until: datetime | None,
    due_at: datetime | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Quote:
    """Staff attach a quote to a ticket (the lifecycle's ``quote``): the ticket awaits the
    merchant's approval, its clocks paused. A quote is a public message to the merchant, so it
    meets a pending first response, at the instant it is sent (docs/policy.md). ``due_at``: the
    due date that follows from its scope, accepted with the cost on approval."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        change = ActionChange.begin("quote", actor=actor, ticket=ticket, now=now)
        amount, text, until = _valid_quote(amount_inr, description, valid_until, now)
        due = _valid_quote_due(due_at, until)
        quote = Quote.objects.create(
            ticket_id=change.ticket.pk,
            amount_inr=amount,
            description=text,
            valid_until=until,
            due_at=due,
            created_by_id=actor.pk if actor else None,
            created_at=now,
        )
        change.add(events.quote(quote=quote))
        # Met before the pause, so the first response is not left paused with the others.
        change.meet(FIRST_RESPONSE)
        change.finish(reason=reason)
    return quote


def _decide(change: ActionChange, status: str, *, reason: str, via: str, ip: str | None) -> Quote:
    """Record the decision on the ticket's pending quote (404 if it has none)."""
    quote = (
        Quote.objects.select_for_update()
        .filter(ticket_id=change.ticket.pk, status=Quote.Status.PENDING)
        .first()
    )
    if quote is None:
        raise NotFound("this ticket has no pending quote", code="no_pending_quote")
    if status != Quote.Status.EXPIRED and quote.valid_until <= change.now:
        # It expired at that instant, whether or not the sweep has recorded it yet.
        raise Conflict(
            "this quote expired when its validity ended; ask support for a new one",
            code="quote_expired",
        )
    quote.status = status
    quote.decided_by_id = change.actor.pk if change.actor else None
    quote.decided_at = change.now
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


def quote_approve(
    *,
    actor: User | None,
    ticket: Ticket,
    reason: str = "",
    via: str = Quote.Via.API,
    ip: str | None = None,
    now: datetime | None = None,
) -> Quote:
    """The merchant approves the pending quote: work goes on (the ticket is in progress), and
    the due date moves to the quote's (none on it: the policy's resolution deadline laid out
    from now). ``via`` and ``ip``: from where the decision came (recorded on the quote)."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        change = ActionChange.begin("approve", actor=actor, ticket=ticket, now=now)
        quote = _decide(change, Quote.Status.APPROVED, reason=reason, via=via, ip=ip)
        change.add(events.quote_approved(quote=quote, reason=reason))
        change.set_due(quote.due_at or change.policy_due_from_now(), QUOTE_APPROVED)
        change.finish(reason=reason)
    return quote


def quote_decline(
    *,
    actor: User | None,
    ticket: Ticket,
    reason: str,
    via: str = Quote.Via.API,
    ip: str | None = None,
    now: datetime | None = None,
) -> Quote:
    """The merchant declines the pending quote, saying why: the ticket is back to triaged."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        change = ActionChange.begin("decline", actor=actor, ticket=ticket, now=now)
        if not reason:
            raise InvalidInput(
                "say why the quote is declined (support sees the reason)", code="reason_required"
            )
        quote = _decide(change, Quote.Status.DECLINED, reason=reason, via=via, ip=ip)
        change.add(events.quote_declined(quote=quote, reason=reason))
        change.finish(reason=reason)
    return quote


def quote_expire(*, ticket: Ticket | int, reason: str, now: datetime | None = None) -> Quote:
    """The system: the pending quote of ``ticket`` (or its id) expired, the ticket goes back to
    triaged. It expires at its ``valid_until`` instant, not at ``now`` (when the sweep saw it):
    the events, the decided time and the clocks' resumption are stamped then, so the paused time
    ends there (docs/policy.md). 409 if the pending quote is still valid at ``now`` (a sweep that
    read an older quote, decided or expired meanwhile, must not expire the newer one)."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        at = _expiry_instant(ticket, now=now)
        change = ActionChange.begin("expire", actor=None, ticket=ticket, now=at)
        quote = _decide(change, Quote.Status.EXPIRED, reason=reason, via=Quote.Via.SYSTEM, ip=None)
        change.add(events.quote_expired(quote=quote, reason=reason))
        change.finish(reason=reason)
    return quote


def _expiry_instant(ticket: Ticket | int, *, now: datetime) -> datetime:
    """When the ticket's pending quote expired (its ``valid_until``), read under the ticket's
    lock; ``now`` if it has none (the lifecycle check and ``_decide`` refuse, as for any
    action)."""
    locked = lock_ticket(ticket)
    valid_until = (
        Quote.objects.filter(ticket_id=locked.pk, status=Quote.Status.PENDING)
        .values_list("valid_until", flat=True)
        .first()
    )
    if valid_until is None:
        return now
    if valid_until > now:
        raise Conflict("this ticket's quote is still valid", code="quote_not_due")
    return valid_until


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


def subscription_open(
    *, store: Any, monthly_charge_inr: Decimal, starts_on: date, created_by: Any, now: datetime
) -> Subscription:
    """Account-manager support for ``store`` from the day ``starts_on``. Called by
    ``account_management.services.account_manager_assign`` inside its transaction, once it has
    checked who asks and set the account manager (the policy: the subscription starts the day
    an admin assigns one). A subscription of the store that ended on or after ``starts_on``
    (unassigned and assigned again the same day) runs on, so no day is charged twice."""
    ended = (
        Subscription.objects.filter(store=store, ends_on__gte=starts_on)
        .order_by("-ends_on", "-pk")
        .first()
    )
    if ended is not None:
        ended.ends_on = None
        ended.save(update_fields=["ends_on"])
        return ended
    return Subscription.objects.create(
        store=store,
        monthly_charge_inr=monthly_charge_inr,
        starts_on=starts_on,
        created_by=created_by,
        created_at=now,
    )


def subscription_close(*, store: Any, ends_on: date) -> Subscription | None:
    """The store's running subscription ends with the day ``ends_on`` (charged); None when none
    runs. Called by ``account_manager_assign`` when the store is left without a manager."""
    running = Subscription.objects.select_for_update().filter(store=store, ends_on__isnull=True)
    sub = running.first()
    if sub is None:
        return None
    sub.ends_on = max(ends_on, sub.starts_on)
    sub.save(update_fields=["ends_on"])
    return sub


def charge_amount(raw: Decimal | str | float) -> Decimal:
    """A positive charge in INR, to the paisa (422 otherwise)."""
    try:
        amount = Decimal(str(raw)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"amount {raw!r} is not a number", code="invalid_amount") from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        raise InvalidInput("a charge must be positive (INR)", code="invalid_amount")
    return amount
