"""Storage that stays small: raw probe results → minute → hour → day rollups, then pruning.

Each level is rolled up from the one below for the whole buckets that ended at least ``LAG``
ago (a round recorded late still lands in a bucket not yet rolled up); a ``RollupMark`` row per
level remembers how far it got, so a sweep does only the new part. Raw results are kept
``MONITOR_RAW_KEEP_HOURS``, minute rollups ``MONITOR_MINUTE_KEEP_DAYS``, hour rollups
``MONITOR_HOUR_KEEP_DAYS``; day rollups, state changes, outages and blind spans for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDay, TruncHour, TruncMinute

from helpline.monitoring.models import ProbeResult, ProbeRollup, Resolution, RollupMark

LAG = timedelta(minutes=2)
MAX_SPAN = {"m": timedelta(hours=6), "h": timedelta(days=7), "d": timedelta(days=60)}
SIZE = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


def floor(at: datetime, resolution: str) -> datetime:
    at = at.astimezone(UTC)
    if resolution == "m":
        return at.replace(second=0, microsecond=0)
    if resolution == "h":
        return at.replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class SweepResult:
    rolled: int = 0
    pruned: int = 0


def _roll(resolution: str, now: datetime) -> int:
    until = floor(now - LAG, resolution)
    mark = RollupMark.objects.filter(resolution=resolution).first()
    if resolution == "m":
        source = ProbeResult.objects.all()
        at_field = "at"
        trunc: Any = TruncMinute("at", tzinfo=UTC)
    else:
        below = "m" if resolution == "h" else "h"
        source = ProbeRollup.objects.filter(resolution=below)  # type: ignore[assignment]
        at_field = "bucket"
        trunc = (TruncHour if resolution == "h" else TruncDay)("bucket", tzinfo=UTC)
        below_mark = RollupMark.objects.filter(resolution=below).first()
        if below_mark is None:
            return 0
        until = min(until, floor(below_mark.done_until, resolution))
    start = mark.done_until if mark else source.aggregate(first=Min(at_field))["first"]
    if start is None:
        return 0
    start = floor(start, resolution)
    until = min(until, start + MAX_SPAN[resolution])
    if until <= start:
        return 0
    rows = source.filter(**{f"{at_field}__gte": start, f"{at_field}__lt": until})
    if resolution == "m":
        grouped = rows.annotate(b=trunc).values("monitor_id", "b")
        grouped = grouped.annotate(
            n=Count("pk"), f=Count("pk", filter=Q(ok=False)), lat=Sum("latency_ms")
        )
    else:
        grouped = rows.annotate(b=trunc).values("monitor_id", "b")
        grouped = grouped.annotate(n=Sum("probes"), f=Sum("failures"), lat=Sum("latency_ms_sum"))
    new = [
        ProbeRollup(
            monitor_id=g["monitor_id"],
            resolution=resolution,
            bucket=g["b"],
            probes=g["n"],
            failures=g["f"],
            latency_ms_sum=g["lat"] or 0,
        )
        for g in grouped
    ]
    with transaction.atomic():
        ProbeRollup.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        RollupMark.objects.update_or_create(resolution=resolution, defaults={"done_until": until})
    return len(new)


def sweep(*, now: datetime) -> SweepResult:
    """Roll up what is complete, then prune what is past keeping."""
    result = SweepResult()
    for level in (Resolution.MINUTE, Resolution.HOUR, Resolution.DAY):
        result.rolled += _roll(level.value, now)
    raw_mark = RollupMark.objects.filter(resolution="m").first()
    keep_raw = now - timedelta(hours=settings.MONITOR_RAW_KEEP_HOURS)
    if raw_mark is not None:  # never drop raw results not rolled up yet
        keep_raw = min(keep_raw, raw_mark.done_until)
        result.pruned += ProbeResult.objects.filter(at__lt=keep_raw).delete()[0]
    for resolution, days in (
        ("m", settings.MONITOR_MINUTE_KEEP_DAYS),
        ("h", settings.MONITOR_HOUR_KEEP_DAYS),
    ):
        result.pruned += ProbeRollup.objects.filter(
            resolution=resolution, bucket__lt=now - timedelta(days=days)
        ).delete()[0]
    return result
