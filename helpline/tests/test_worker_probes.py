"""The worker's probe loop (``helpline.worker.probes_forever``) runs the monitor's rounds in a
thread until stopped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpline import worker
from helpline.conftest import T0
from helpline.monitoring import services

pytestmark = pytest.mark.usefixtures("loopback")


@pytest.mark.django_db(transaction=True)
def test_worker_loop_runs_rounds_until_stopped(cast, site):
    import threading

    services.monitor_create(store=cast.acme_shoes, url=site.url, now=T0 - timedelta(days=1))
    stop = threading.Event()
    thread = threading.Thread(target=lambda: worker.probes_forever(stop=stop, interval=0.05))
    thread.start()
    try:
        for _ in range(200):
            if site.hits:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert site.hits >= 1
