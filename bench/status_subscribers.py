"""Does a status update reach 10,000 subscribers within 60 s? (issue 23, decision 0227)

Run: .venv/bin/python bench/status_subscribers.py [--subscribers 10000] [--threads 4]
     (a fresh SQLite database in a temporary directory; DATABASE_URL=postgresql://… to bench
     PostgreSQL — a database the benchmark may fill and leave behind)

1. Fan-out: a platform incident is opened (``monitoring.services.incident_open``) with
   ``--subscribers`` confirmed mail subscribers; its transaction writes one outbox row per
   subscriber (``subscriptions.services.status_fanout``: bulk INSERTs). Beside it, the peer:
   the same rows written one ``enqueue`` (one INSERT) per subscriber. Both print time and
   queries.
2. Delivery: first (before the fan-out) ``--reference`` plain outbox mails (the peer: this
   machine's delivery rate in this run), then the status mails. The worker's step
   (``worker.run_once``, ``--threads`` sending threads, one worker process) sends them to an
   SMTP sink on loopback (aiosmtpd, its own process) until none is left; prints the time and
   the change → last mail accepted total against the 60 s goal.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from outbox import setup, sink_up

GOAL_SECONDS = 60


def subscribers(count: int) -> None:
    from helpline.core import clock
    from helpline.subscriptions.models import Subscription

    now = clock.now()
    Subscription.objects.all().delete()
    Subscription.objects.bulk_create(
        [
            Subscription(
                channel="email",
                address=f"reader{i}@example.test",
                created_at=now,
                confirmed_at=now,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


class Count:
    """Counts the queries a block runs (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


def peer_one_insert_each() -> tuple[float, int, int]:
    """The same rows, one INSERT per subscriber (the peer): seconds, queries, rows."""
    from django.db import connection, transaction

    from helpline.core import clock
    from helpline.monitoring.listeners import StatusChange
    from helpline.outbox import services as outbox
    from helpline.outbox.models import Outbox
    from helpline.subscriptions import services, words

    now = clock.now()
    change = StatusChange(
        kind="incident_opened",
        key=f"peer{now.timestamp()}",
        title="Peer",
        detail="",
        at=now,
        now=now,
    )
    started, seen = time.perf_counter(), Count()
    with connection.execute_wrapper(seen), transaction.atomic():
        text = words.text(change, "Asia/Kolkata")
        said = words.notice(change, text, status="https://help.example.test/status/")
        for row in services._live(None):
            outbox.enqueue_many([services._notice(change, row, said, text)], now=now)
    seconds = time.perf_counter() - started
    written = Outbox.objects.filter(kind="status_incident_opened").count()
    Outbox.objects.filter(kind="status_incident_opened").delete()
    return seconds, seen.n, written


def fan_out() -> tuple[float, int, int]:
    """A platform incident opened: its transaction writes every subscriber's row."""
    from django.db import connection

    from helpline.monitoring import services as monitoring
    from helpline.outbox.models import Outbox

    started, seen = time.perf_counter(), Count()
    with connection.execute_wrapper(seen):
        monitoring.incident_open(title="Checkout unreachable")
    seconds = time.perf_counter() - started
    written = Outbox.objects.filter(kind="status_incident_opened").count()
    return seconds, seen.n, written


def deliver(threads: int, expected: int) -> float:
    from helpline.worker import run_once

    started = time.perf_counter()
    done = 0
    while True:
        result = run_once(max_batches=50, threads=threads)
        if not result.delivered:
            break
        done += result.delivered["done"]
    seconds = time.perf_counter() - started
    assert done == expected, (done, expected)
    return seconds


def reference(count: int, threads: int) -> float:
    """Plain outbox mails (bench/outbox.py's kind of row) delivered the same way: the machine's
    own delivery rate in this run, beside the status mails'."""
    from django.db import transaction

    from helpline.core import clock
    from helpline.outbox import services as outbox

    now = clock.now()
    with transaction.atomic():
        outbox.enqueue_many(
            [
                outbox.Notification(
                    channel="email",
                    kind="bench",
                    recipient=f"merchant{i}@example.test",
                    payload={
                        "subject": "Support wrote",
                        "body": "x" * 600,
                        "message_id": f"<r{i}@b>",
                    },
                    idempotency_key=f"bench.{now.timestamp()}.{i}",
                    due_at=now,
                )
                for i in range(count)
            ],
            now=now,
        )
    return count / deliver(threads, count)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--reference", type=int, default=2000, help="plain mails for the peer")
    args = parser.parse_args()
    sink, port = sink_up()
    try:
        setup(port)
        from django.db import connection

        n = args.subscribers
        print(f"{platform.python_version()} on {platform.machine()}, {connection.vendor}")
        rate = reference(args.reference, args.threads) if args.reference else 0.0
        subscribers(n)
        peer_s, peer_q, peer_rows = peer_one_insert_each()
        now_s, now_q, now_rows = fan_out()
        assert peer_rows == now_rows == n, (peer_rows, now_rows, n)
        print(f"fan-out of one incident to {n:,} subscribers (rows written in its transaction)")
        print(f"  {'':<28}{'time':>10}{'queries':>10}")
        print(f"  {'peer: one INSERT each':<28}{peer_s:>9.2f}s{peer_q:>10,}")
        print(f"  {'bulk INSERTs (built)':<28}{now_s:>9.2f}s{now_q:>10,}")
        sent = deliver(args.threads, n)
        total = now_s + sent
        print(
            f"delivery to the SMTP sink on loopback: {sent:.1f} s ({n / sent:,.0f} mails/s, one "
            f"worker, {args.threads} sending threads)"
        )
        if rate:
            print(
                f"  peer: {args.reference:,} plain outbox mails, same worker: {rate:,.0f} mails/s "
                f"(10,000 would take {10_000 / rate:.1f} s)"
            )
        verdict = "within" if total < GOAL_SECONDS else "OVER"
        print(f"change → last mail accepted: {total:.1f} s ({verdict} the {GOAL_SECONDS} s goal)")
    finally:
        sink.terminate()
        sink.wait(timeout=10)


if __name__ == "__main__":
    main()
