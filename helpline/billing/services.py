"""Writes about quotes. The ticket lifecycle (tickets.services) calls these."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from helpline.billing.models import Quote
from helpline.core.errors import InvalidInput, NotFound
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
    *, ticket_id: int, status: str, actor_id: int | None, reason: str, now: datetime
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
    quote.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return quote


def quotes_due_for_expiry(*, now: datetime, limit: int = 500) -> list[int]:
    """Ticket ids whose pending quote is past its validity."""
    return list(
        Quote.objects.filter(status=Quote.Status.PENDING, valid_until__lte=now)
        .order_by("valid_until")
        .values_list("ticket_id", flat=True)[:limit]
    )
