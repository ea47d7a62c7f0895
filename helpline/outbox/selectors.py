"""Reads of the outbox app's data for the apps above it: webhook endpoints, preferences, the
on-call rota (what they mean is the notifications app's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpline.core.prepared import Prepared
from helpline.outbox.models import OnCallOverride, OnCallShift, Preference, WebhookEndpoint

# Read on every ticket change, hence a Prepared read.
_active_endpoints: Prepared[WebhookEndpoint] = Prepared(
    lambda: WebhookEndpoint.objects.filter(active=True)
)
_preferences_of: Prepared[Preference] = Prepared(
    lambda user_ids: Preference.objects.filter(user_id__in=user_ids), user_ids=[int]
)


def active_endpoints() -> list[WebhookEndpoint]:
    return list(_active_endpoints())


def preferences_of(user_ids: list[int]) -> dict[int, Preference]:
    """The saved preferences of these people, by user id (those who never chose are absent)."""
    return {p.user_id: p for p in _preferences_of(user_ids=user_ids)}


def preference_of(user: Any) -> Preference:
    """``user``'s own preferences; the defaults (unsaved) if they never chose."""
    found = Preference.objects.filter(user=user).first()
    return found if found is not None else Preference(user=user)


def on_call_overrides(at: datetime) -> list[OnCallOverride]:
    """The overrides covering ``at``, earliest first, with their people."""
    return list(
        OnCallOverride.objects.filter(starts_at__lte=at, ends_at__gt=at)
        .select_related("user")
        .order_by("starts_at")
    )


def on_call_shifts() -> list[OnCallShift]:
    """The weekly rota, with its people."""
    return list(OnCallShift.objects.select_related("user"))


def on_call_overrides_between(start: datetime, end: datetime) -> list[OnCallOverride]:
    """The overrides overlapping ``[start, end)``, with their people (coverage reads them)."""
    return list(
        OnCallOverride.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("user")
        .order_by("starts_at")
    )
