"""Reads of the status subscriptions: a person's own (the status page's buttons)."""

from __future__ import annotations

from helpline.accounts.models import User
from helpline.subscriptions.models import Subscription


def subscriptions_of(user: User) -> list[Subscription]:
    """The subscriptions a signed-in person made (confirmed, dropped or not)."""
    return list(Subscription.objects.filter(user=user).select_related("store").order_by("pk"))
