"""Reads of quotes and subscriptions, scoped by ``accounts.access`` (engineers see no billing)."""

from __future__ import annotations

from django.db.models import QuerySet

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.billing import access as billing_access
from helpline.billing.models import Quote, Subscription
from helpline.core.errors import NotFound
from helpline.core.validation import id_in_range


def visible_quotes(user: User | None) -> QuerySet[Quote]:
    return Quote.objects.filter(billing_access.quote_scope(user)).select_related(
        "ticket", "decided_by"
    )


def quote_get(*, user: User | None, quote_id: int) -> Quote:
    if not id_in_range(quote_id):
        raise NotFound("quote not found")
    quote = visible_quotes(user).filter(pk=quote_id).first()
    if quote is None:
        raise NotFound("quote not found")
    return quote


def quotes_of(*, user: User | None, ticket_id: int) -> list[Quote]:
    return list(visible_quotes(user).filter(ticket_id=ticket_id).order_by("pk"))


def subscriptions_of(*, store_id: int) -> list[Subscription]:
    """A store's subscriptions (the caller loaded the store through the scoped selector)."""
    return list(Subscription.objects.filter(store_id=store_id).order_by("-starts_on", "-pk"))


def subscription_get(*, user: User | None, subscription_id: int) -> Subscription:
    if not id_in_range(subscription_id) or not access.sees_billing(user):
        raise NotFound("subscription not found")
    from helpline.merchants.selectors import visible_stores

    sub = (
        Subscription.objects.filter(pk=subscription_id, store__in=visible_stores(user).values("pk"))
        .select_related("store")
        .first()
    )
    if sub is None:
        raise NotFound("subscription not found")
    return sub


def running_subscription(*, store_id: int) -> Subscription | None:
    """The store's subscription still running (one at most: a constraint)."""
    return Subscription.objects.filter(store_id=store_id, ends_on__isnull=True).first()
