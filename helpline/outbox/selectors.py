"""Reads of the outbox app's data for the apps above it: webhook endpoints, preferences, the
on-call rota (what they mean is the notifications app's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Min

from helpline.core.prepared import Prepared
from helpline.outbox.models import (
    OnCallOverride,
    OnCallShift,
    Outbox,
    Preference,
    State,
    WebhookEndpoint,
)

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


@dataclass(frozen=True)
class QueueFigures:
    """The outbox as an operator watches it (``helpline.metrics``)."""

    depth: int  # rows not yet delivered (pending, or claimed by a worker)
    oldest_due_seconds: float  # how long the longest-waiting due row has waited (0: none)
    dead_letters: int
    sla_sent: dict[str, int]  # SLA notices delivered, by kind (sla_warning, sla_breached)


SLA_KINDS = ("sla_warning", "sla_breached")


def queue_figures(*, now: datetime) -> QueueFigures:
    """Four queries, each on an index: the due index (``outbox_due``), the state index, and the
    partial index of delivered SLA notices (``outbox_sla_sent``)."""
    waiting = Outbox.objects.filter(state__in=[State.PENDING, State.SENDING])
    first_due = waiting.filter(due_at__lte=now).aggregate(first=Min("due_at"))["first"]
    sent = dict(
        Outbox.objects.filter(state=State.DONE, kind__in=SLA_KINDS)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return QueueFigures(
        depth=waiting.count(),
        oldest_due_seconds=(now - first_due).total_seconds() if first_due else 0.0,
        dead_letters=Outbox.objects.filter(state=State.DEAD).count(),
        sla_sent={kind: int(sent.get(kind, 0)) for kind in SLA_KINDS},
    )
