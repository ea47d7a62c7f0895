"""Demo data for store uptime (``helpline demo`` calls ``seed`` from ``demo.loader``).

Each demo store gets a monitor with 90 days of history (a few short outages, an hour the monitor
was blind) and the first store a planned maintenance window, announced like any other. The
monitors are paused: the demo stores' names (``*.example``) resolve nowhere, and a running
worker would otherwise book that as real outages and open C1 tickets. Un-pause one in the admin
(pointing it at a real URL) to watch the probes work.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from helpline.merchants.models import Store
from helpline.monitoring import services
from helpline.monitoring.models import BlindSpan, Monitor, MonitorState, Outage

CAUSES = ("status 502, expected 200", "no answer within 10 s", "cannot connect: refused")


def seed(*, stores: Sequence[Store], now: datetime, rng: random.Random) -> int:
    """Monitors and history for ``stores``; returns the number of outages made."""
    made = 0
    for store in stores:
        monitor = services.monitor_create(store=store, now=now - timedelta(days=90))
        Monitor.objects.filter(pk=monitor.pk).update(
            active=False, state=MonitorState.UP, last_probe_at=now, next_probe_at=now
        )
        for _ in range(rng.randint(1, 4)):
            start = now - timedelta(days=rng.uniform(1, 88))
            minutes = rng.choice((3, 7, 12, 25, 48, 95))
            Outage.objects.create(
                monitor=monitor,
                store=store,
                started_at=start,
                confirmed_at=start + timedelta(seconds=10),
                ended_at=start + timedelta(minutes=minutes),
                cause=rng.choice(CAUSES),
            )
            made += 1
        blind = now - timedelta(days=rng.uniform(1, 88))
        BlindSpan.objects.create(
            monitor=monitor,
            store=store,
            started_at=blind,
            ended_at=blind + timedelta(hours=1),
            reason="not probed (Helpline was not running)",
        )
    if stores:
        services.maintenance_create(
            title="Storefront platform upgrade",
            description="Checkout may be unavailable for up to an hour.",
            starts_at=now + timedelta(days=5),
            ends_at=now + timedelta(days=5, hours=1),
            stores=list(stores[:1]),
            now=now,
        )
    return made
