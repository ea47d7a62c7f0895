"""What ``/metrics`` shows an operator (Prometheus' text format), behind
``HELPLINE_METRICS_TOKEN``: the request latency histogram (``core.request_metrics``) and the
figures of the queue and the mailbox, read from the database at scrape time.

Why from the database: any web node answers the same figures however many nodes and workers
there are, a restarted process loses nothing, and there is no state in memory to keep in step
(decision 0161). Each figure is one indexed query. The probe rounds and their duration are the
worker's own (``helpline worker --metrics-port``), the one thing no table records.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from helpline.core import heartbeat, request_metrics
from helpline.mail import selectors as mail
from helpline.outbox import selectors as outbox

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SLA_LABELS = {"sla_warning": "warning", "sla_breached": "breach"}


class DatabaseFigures(Collector):
    def __init__(self, now: datetime) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        queue = outbox.queue_figures(now=self.now)
        yield GaugeMetricFamily(
            "helpline_outbox_depth",
            "Notifications not yet delivered (pending or claimed by a worker)",
            value=queue.depth,
        )
        yield GaugeMetricFamily(
            "helpline_outbox_oldest_due_age_seconds",
            "How long the longest-waiting due notification has waited (0: none is due)",
            value=queue.oldest_due_seconds,
        )
        yield GaugeMetricFamily(
            "helpline_outbox_dead_letters",
            "Notifications given up after their retries (helpline outbox dead)",
            value=queue.dead_letters,
        )
        sent = CounterMetricFamily(
            "helpline_sla_notices_sent",
            "SLA warnings and breach notices delivered",
            labels=["kind"],
        )
        for kind, label in SLA_LABELS.items():
            sent.add_metric([label], queue.sla_sent[kind])
        yield sent
        ingested = CounterMetricFamily(
            "helpline_mail_ingested",
            "Mails received, by outcome (quarantined included; a mail delivered twice counts once)",
            labels=["outcome"],
        )
        for outcome, n in mail.ingest_counts().items():
            ingested.add_metric([outcome], n)
        yield ingested
        beat = heartbeat.last_beat(heartbeat.WORKER)
        if beat is not None:
            yield GaugeMetricFamily(
                "helpline_worker_heartbeat_age_seconds",
                "Seconds since a worker last recorded its heartbeat",
                value=max(0.0, (self.now - beat.beat_at).total_seconds()),
            )


def exposition(*, now: datetime) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseFigures(now))
    return request_metrics.exposition() + generate_latest(registry)
