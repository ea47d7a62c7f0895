"""A person's status subscriptions (decision 0183's export and erasure): by their account or
their address. Erased means deleted: a subscription is nothing but the address."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from helpline.subscriptions.models import Subscription


def _of(email: str, user_id: int | None) -> Any:
    mine = Q(channel="email", address__iexact=email)
    if user_id is not None:
        mine |= Q(user_id=user_id)
    return Subscription.objects.filter(mine)


def known(email: str) -> bool:
    return _of(email, None).exists()


def export(email: str, user_id: int | None) -> list[dict[str, Any]]:
    return [
        {
            "channel": s.channel,
            "address": s.address,
            "store_id": s.store_id,
            "created_at": s.created_at,
            "confirmed_at": s.confirmed_at,
            "bounces": s.bounces,
            "dropped_at": s.dropped_at,
        }
        for s in _of(email, user_id).order_by("pk")
    ]


def erase(email: str, user_id: int | None) -> int:
    deleted, _rows = _of(email, user_id).delete()
    return deleted
