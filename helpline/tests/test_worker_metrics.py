"""The worker's own metrics (``helpline worker --metrics-port``): probe rounds and their
duration, served over HTTP and read back with prometheus_client's parser."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from helpline import worker
from helpline.conftest import T0
from helpline.monitoring import services
from helpline.monitoring.models import ProbeResult

pytestmark = pytest.mark.usefixtures("loopback")


def scrape(url: str) -> dict[str, float]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our loopback
        text = response.read().decode()
    return {
        s.name + "".join(f"|{k}={v}" for k, v in sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.mark.django_db(transaction=True)
def test_probe_rounds_are_counted_and_timed_on_the_workers_port(cast, site) -> None:
    host, port = worker.metrics_serve(host="127.0.0.1", port=0)
    assert host == "127.0.0.1" and port > 0
    url = f"http://{host}:{port}/metrics"
    before = scrape(url)
    services.monitor_create(store=cast.acme_shoes, url=site.url, now=T0 - timedelta(days=1))
    services.monitor_create(store=cast.bolt_gadgets, url=site.url, now=T0 - timedelta(days=1))

    first = worker.probe_round(now=T0, worker="w1")
    nothing_due = worker.probe_round(now=T0, worker="w1")  # an empty claim is not a round
    after = scrape(url)

    assert first.claimed == 2 and nothing_due.claimed == 0
    assert ProbeResult.objects.count() == 2
    rounds = "helpline_probe_rounds_total"
    assert after[rounds] - before.get(rounds, 0) == 1
    ok = "helpline_probes_total|result=ok"
    assert after[ok] - before.get(ok, 0) == ProbeResult.objects.filter(ok=True).count() == 2
    count = "helpline_probe_round_duration_seconds_count"
    assert after[count] - before.get(count, 0) == 1
    assert after["helpline_probe_round_duration_seconds_sum"] > before.get(
        "helpline_probe_round_duration_seconds_sum", 0
    )
