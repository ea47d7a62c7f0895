"""The demo's store uptime: 90 days of history that the pages can show without probing."""

from __future__ import annotations

import random
from datetime import timedelta

from helpline.conftest import T0
from helpline.demo import uptime
from helpline.monitoring import selectors
from helpline.monitoring.models import MaintenanceWindow, Outage

H = timedelta(hours=1)


def test_demo_history_gives_the_pages_figures_without_probing(cast):
    now = T0 + 100 * 24 * H
    made = uptime.seed(stores=[cast.acme_shoes, cast.bolt_gadgets], now=now, rng=random.Random(1))  # noqa: S311
    assert made == Outage.objects.count() >= 2
    assert (
        not selectors.monitors().filter(active=True).exists()
    )  # paused: *.example resolves nowhere
    year = selectors.store_figures(cast.acme_shoes, kind="year", day=now.date(), now=now)
    assert year.downtime_minutes > 0 and year.unknown_minutes >= 60
    assert MaintenanceWindow.objects.count() == 1
