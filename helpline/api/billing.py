"""Quotes, subscriptions and the monthly ledger. Engineers see no billing (403)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import In, Instant, errors
from helpline.billing import decisions, selectors, services
from helpline.billing import ledger as ledgers
from helpline.billing.models import Quote, Subscription
from helpline.core.errors import Conflict, Forbidden, InvalidInput
from helpline.merchants import selectors as merchant_selectors
from helpline.tickets import selectors as ticket_selectors

router = Router(tags=["billing"], auth=AUTH)


def _billing(user: User) -> None:
    if not access.sees_billing(user):
        raise Forbidden("engineers see no billing", code="action_forbidden")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the server saw it (a proxy in front sets REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None


class QuoteOut(Schema):
    id: int
    ticket: int
    amount_inr: Decimal
    gst_percent: Decimal
    gst_inr: Decimal
    total_inr: Decimal
    description: str
    valid_until: AwareDatetime
    due_at: AwareDatetime | None = Field(
        None, description="The due date approving accepts (none: the policy's, from approval)"
    )
    status: str
    created_at: AwareDatetime
    decided_by: int | None
    decided_at: AwareDatetime | None
    decided_via: str
    decided_ip: str | None = Field(None, description="Staff only")
    decision_reason: str


def quote_out(quote: Quote, user: User) -> dict[str, Any]:
    return {
        "id": quote.pk,
        "ticket": quote.ticket_id,
        "amount_inr": quote.amount_inr,
        "gst_percent": quote.gst_percent,
        "gst_inr": quote.gst_inr,
        "total_inr": quote.total_inr,
        "description": quote.description,
        "valid_until": quote.valid_until,
        "due_at": quote.due_at,
        "status": quote.status,
        "created_at": quote.created_at,
        "decided_by": quote.decided_by_id,
        "decided_at": quote.decided_at,
        "decided_via": quote.decided_via,
        "decided_ip": quote.decided_ip if access.is_staff(user) else None,
        "decision_reason": quote.decision_reason,
    }


@router.get("/tickets/{ticket_id}/quotes", response={200: list[QuoteOut], **errors(403, 404)})
def ticket_quotes(request: HttpRequest, ticket_id: int) -> Any:
    user = user_of(request)
    ticket = ticket_selectors.ticket_get(user=user, ticket_id=ticket_id)
    _billing(user)
    return [quote_out(q, user) for q in selectors.quotes_of(user=user, ticket_id=ticket.pk)]


class QuoteIn(In):
    amount_inr: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    description: str = Field(..., max_length=10_000)
    valid_until: Instant
    due_at: Instant | None = Field(
        None, description="The due date that follows from the scope (after valid_until)"
    )


@router.post("/tickets/{ticket_id}/quotes", response={201: QuoteOut, **errors(403, 404, 409)})
def attach_quote(request: HttpRequest, ticket_id: int, payload: QuoteIn) -> Status[Any]:
    """Staff attach a quote: the ticket awaits the merchant's approval, its clocks paused."""
    user = user_of(request)
    ticket = ticket_selectors.ticket_get(user=user, ticket_id=ticket_id)
    _billing(user)
    services.quote_create(
        actor=user,
        ticket=ticket,
        amount_inr=payload.amount_inr,
        description=payload.description,
        valid_until=payload.valid_until,
        due_at=payload.due_at,
    )
    quote = selectors.quotes_of(user=user, ticket_id=ticket.pk)[-1]
    return Status(201, quote_out(quote, user))


@router.get("/quotes/{quote_id}", response={200: QuoteOut, **errors(404)})
def get_quote(request: HttpRequest, quote_id: int) -> Any:
    user = user_of(request)
    return quote_out(selectors.quote_get(user=user, quote_id=quote_id), user)


class DecisionIn(In):
    decision: str = Field(..., max_length=10, description="approve or decline")
    reason: str = Field("", max_length=2000, description="Required to decline")


@router.post("/quotes/{quote_id}/decision", response={200: QuoteOut, **errors(403, 404, 409)})
def decide_quote(request: HttpRequest, quote_id: int, payload: DecisionIn) -> Any:
    """The merchant approves or declines; recorded with who, when and from where."""
    user = user_of(request)
    quote = selectors.quote_get(user=user, quote_id=quote_id)
    decide = decisions.DECISIONS.get(payload.decision)
    if decide is None:
        raise InvalidInput("decision is approve or decline", code="invalid_decision")
    ticket = ticket_selectors.ticket_get(user=user, ticket_id=quote.ticket_id)
    if quote.status != Quote.Status.PENDING:
        raise Conflict(f"this quote was {quote.status} already", code="quote_decided")
    decide(
        actor=user, ticket=ticket, reason=payload.reason, via=Quote.Via.API, ip=client_ip(request)
    )
    return quote_out(selectors.quote_get(user=user, quote_id=quote_id), user)


# ------------------------------------------------------------------ subscriptions and ledger


class SubscriptionOut(Schema):
    id: int
    store: int
    monthly_charge_inr: Decimal
    gst_percent: Decimal
    starts_on: date
    ends_on: date | None
    created_at: AwareDatetime

    @staticmethod
    def resolve_store(obj: Subscription) -> int:
        return obj.store_id


@router.get(
    "/stores/{store_id}/subscriptions", response={200: list[SubscriptionOut], **errors(403, 404)}
)
def store_subscriptions(request: HttpRequest, store_id: int) -> Any:
    user = user_of(request)
    store = merchant_selectors.store_get(user=user, store_id=store_id)
    _billing(user)
    return selectors.subscriptions_of(store_id=store.pk)


class LedgerLineOut(Schema):
    month: str
    store: str
    kind: str
    reference: str
    description: str
    amount_inr: Decimal
    gst_inr: Decimal
    total_inr: Decimal


class StoreTotalOut(Schema):
    store: str
    net_inr: Decimal
    gst_inr: Decimal
    total_inr: Decimal


class LedgerOut(Schema):
    merchant: str
    month: str
    lines: list[LedgerLineOut]
    stores: list[StoreTotalOut] = Field(..., description="Net, GST and total per store")
    total_inr: Decimal


class MonthQuery(In):
    month: str = Field(..., max_length=7, description="YYYY-MM, in the merchant's time zone")


def _ledger(request: HttpRequest, slug: str, month: str) -> tuple[Any, date, list[Any]]:
    user = user_of(request)
    merchant = merchant_selectors.merchant_by_slug(slug)
    first = ledgers.parse_month(month)
    return merchant, first, ledgers.ledger(user=user, merchant=merchant, month=first)


@router.get("/merchants/{slug}/ledger", response={200: LedgerOut, **errors(403, 404)})
def ledger(request: HttpRequest, slug: str, query: Query[MonthQuery]) -> Any:
    merchant, first, lines = _ledger(request, slug, query.month)
    return {
        "merchant": merchant.slug,
        "month": f"{first:%Y-%m}",
        "lines": lines,
        "stores": ledgers.store_totals(lines),
        "total_inr": sum((line.total_inr for line in lines), Decimal("0.00")),
    }


@router.get("/merchants/{slug}/ledger.csv", response={200: None, **errors(403, 404)})
def ledger_csv(request: HttpRequest, slug: str, query: Query[MonthQuery]) -> HttpResponse:
    merchant, first, lines = _ledger(request, slug, query.month)
    response = HttpResponse(ledgers.ledger_csv(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="ledger-{merchant.slug}-{first:%Y-%m}.csv"'
    )
    return response
