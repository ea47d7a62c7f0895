"""A probe round's result rows: one a probe."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from helpline.monitoring.models import ProbeResult
from helpline.monitoring.probe import Outcome


def results_store(outcomes: Sequence[Outcome], now: datetime) -> None:
    """One result row a probe (a store the guard refused was not probed: no row)."""
    ProbeResult.objects.bulk_create(
        [
            ProbeResult(
                monitor_id=o.monitor_id,
                at=now,
                ok=o.ok,
                status=o.status,
                latency_ms=o.latency_ms,
                error=o.error[:300],
            )
            for o in outcomes
            if not o.refused
        ],
        batch_size=1000,
    )
