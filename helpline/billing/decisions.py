"""A quote decided through the signed link in the mail: the same services as the support center
and the API (``billing.services.quote_approve`` / ``quote_decline``), recorded with who, when
and from where (the link, the client's address)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import User
from helpline.billing import links, services
from helpline.billing.models import Quote
from helpline.core import clock
from helpline.core.errors import Conflict, InvalidInput, NotFound

# A merchant's decision on a pending quote, by name (the link, the API, the support center).
DECISIONS: dict[str, Callable[..., Quote]] = {
    "approve": services.quote_approve,
    "decline": services.quote_decline,
}


def quote_for_link(*, raw: str, now: datetime | None = None) -> tuple[Quote, User]:
    """The quote and the merchant user a link names (errors: invalid, expired, gone)."""
    now = now or clock.now()
    link = links.read(raw, now=now)
    quote = Quote.objects.select_related("ticket", "ticket__store").filter(pk=link.quote_id).first()
    user = account_selectors.active_user(link.user_id)
    if (
        quote is None
        or user is None
        or not user.merchant_id
        or user.merchant_id != quote.ticket.merchant_id
    ):
        raise NotFound("this quote is not available", code="quote_not_found")
    return quote, user


def quote_decide_by_link(
    *, raw: str, decision: str, reason: str = "", ip: str | None = None, now: datetime | None = None
) -> Quote:
    now = now or clock.now()
    decide = DECISIONS.get(decision)
    if decide is None:
        raise InvalidInput("approve or decline", code="invalid_decision")
    quote, user = quote_for_link(raw=raw, now=now)
    if quote.status != Quote.Status.PENDING:
        raise Conflict(f"this quote was {quote.status} already", code="quote_decided")
    decide(actor=user, ticket=quote.ticket, reason=reason, via=Quote.Via.EMAIL_LINK, ip=ip, now=now)
    quote.refresh_from_db()
    return quote
