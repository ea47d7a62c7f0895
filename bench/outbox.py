"""How fast is the worker? Outbox deliveries per second, and deadline → recorded breach.

Run: .venv/bin/python bench/outbox.py [--mails 5000] [--tickets 100000] [--breaches 300]
     (--breaches 0: the deliveries only)
     (a fresh SQLite database in a temporary directory; DATABASE_URL=postgresql://… to bench
     PostgreSQL — a database the benchmark may fill and leave behind)

1. Deliveries/s: ``--mails`` outbox rows to an SMTP sink on loopback (aiosmtpd), delivered by
   the worker's step (claims of 100, one SMTP connection per claim), one worker process; the
   sink runs in its own process.
2. Deadline → recorded breach: ``--tickets`` open tickets (bulk-inserted, two running clocks
   each, deadlines weeks away) plus ``--breaches`` C1 tickets whose first-response deadlines
   fall over the next 30 s of real time; the worker loop runs as ``helpline worker`` does (1 s
   idle wait). For each, the latency is the wall time at which the step that recorded its
   breach had committed, minus the deadline. Prints p50/p99/max.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SINK = ["-c", "aiosmtpd.handlers.Sink"]


def setup(port: int) -> None:
    os.environ.setdefault("HELPLINE_DATA_DIR", tempfile.mkdtemp(prefix="helpline-bench-"))
    os.environ["HELPLINE_EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpline.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def deliveries(count: int, threads: int = 1) -> float:
    from django.db import transaction

    from helpline.core import clock
    from helpline.outbox import services
    from helpline.outbox.models import Outbox
    from helpline.worker import run_once

    now = clock.now()
    Outbox.objects.filter(kind="bench").delete()
    with transaction.atomic():
        services.enqueue_many(
            [
                services.Notification(
                    channel="email",
                    kind="bench",
                    recipient=f"merchant{i}@example.test",
                    payload={
                        "subject": f"[HL-{i}] Support wrote — Checkout fails",
                        "body": "HL-1: Checkout fails\n\nSupport wrote.\n\n" + "x" * 600,
                        "message_id": f"<bench.{i}.{now.timestamp()}@helpline.test>",
                    },
                    idempotency_key=f"bench.{now.timestamp()}.{i}",
                    due_at=now,
                )
                for i in range(count)
            ],
            now=now,
        )
    started = time.perf_counter()
    done = 0
    while True:
        result = run_once(now=now, max_batches=50, threads=threads)
        if not result.delivered:
            break
        done += result.delivered["done"]
    seconds = time.perf_counter() - started
    assert done == count, (done, count)
    return count / seconds


def fill(tickets: int) -> None:
    from helpline.merchants import services as merchants
    from helpline.sla import selectors as sla_selectors
    from helpline.tickets.models import Status, Ticket, TicketClock

    now = datetime.now(UTC)
    merchant = merchants.merchant_create(
        name="Bench", slug=f"bench-{int(now.timestamp())}", now=now
    )
    store = merchants.store_create(
        merchant=merchant, name="Bench store", url="https://bench.example.test", now=now
    )
    policy = sla_selectors.current_policy()
    specs = policy.targets_for("C3", "functionality")
    far = now + timedelta(days=30)
    step = 5000
    for first in range(0, tickets, step):
        rows = Ticket.objects.bulk_create(
            [
                Ticket(
                    merchant_id=merchant.pk,
                    store=store,
                    subject=f"Bench ticket {i}",
                    description="bench",
                    issue_type="functionality",
                    priority="C3",
                    status=Status.IN_PROGRESS,
                    channel="api",
                    policy_version_id=policy.version_id,
                    created_at=now,
                    updated_at=now,
                )
                for i in range(first, min(first + step, tickets))
            ]
        )
        TicketClock.objects.bulk_create(
            [
                TicketClock(
                    ticket=t,
                    kind=spec.kind,
                    priority="C3",
                    calendar=spec.calendar,
                    length=spec.length,
                    started_at=now,
                    segment_started_at=now,
                    consumed=timedelta(0),
                    wall_consumed=timedelta(0),
                    deadline=far + timedelta(seconds=n),
                    warn_at=far - timedelta(days=1) + timedelta(seconds=n),
                )
                for n, t in enumerate(rows)
                for spec in specs.values()
            ]
        )


def breach_latency(breaches: int) -> list[float]:
    from helpline import worker
    from helpline.accounts import services as accounts
    from helpline.merchants.models import Store
    from helpline.tickets import services as tickets
    from helpline.tickets.models import TicketClock

    store = Store.objects.order_by("-pk").first()
    assert store is not None
    agent = accounts.user_create(
        email=f"bench-{time.time_ns()}@helpline.test", role="agent", first_name="Bench"
    )
    opened = [
        tickets.ticket_create(
            actor=agent,
            store=store,
            subject=f"Bench C1 {i}",
            description="down",
            issue_type="functionality",
            priority="C1",
        )
        for i in range(breaches)
    ]
    # Lay their first-response deadlines over the next 30 s (their warnings already passed).
    base = datetime.now(UTC) + timedelta(seconds=3)
    deadlines = {}
    for i, ticket in enumerate(opened):
        at = base + timedelta(seconds=30 * i / breaches)
        TicketClock.objects.filter(
            ticket=ticket, kind="first_response", superseded_at__isnull=True
        ).update(deadline=at, warn_at=None, warned_at=at - timedelta(minutes=30))
        deadlines[ticket.pk] = at
    worker.run_once()  # warm up (caches, connection)
    latencies: dict[int, float] = {}
    stop = threading.Event()
    deadline_end = base + timedelta(seconds=40)
    while datetime.now(UTC) < deadline_end and len(latencies) < breaches:
        result = worker.run_once()
        committed = datetime.now(UTC)
        recorded = TicketClock.objects.filter(
            ticket_id__in=[pk for pk in deadlines if pk not in latencies],
            kind="first_response",
            breached_at__isnull=False,
        ).values_list("ticket_id", "breached_at")
        for ticket_id, breached_at in recorded:
            assert breached_at == deadlines[ticket_id]  # recorded at its true instant
            latencies[ticket_id] = (committed - deadlines[ticket_id]).total_seconds()
        if not result.busy:
            stop.wait(1.0)  # helpline worker's idle wait
    assert len(latencies) == breaches, f"{len(latencies)} of {breaches} recorded"
    return sorted(latencies.values())


def sink_up() -> tuple[subprocess.Popen[bytes], int]:
    """The SMTP sink as another process, as a mail server would be (aiosmtpd's Sink handler
    accepts and drops every message), and its port once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", *SINK],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return sink, port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--breaches", type=int, default=300)
    args = parser.parse_args()

    sink, port = sink_up()
    try:
        setup(port)
        from django.db import connection

        print(f"{platform.python_version()} on {platform.machine()}, {connection.vendor}")
        for threads in (1, 4):
            rate = deliveries(args.mails, threads)
            print(
                f"outbox → SMTP sink: {args.mails:,} mails at {rate:,.0f} deliveries/s "
                f"(one worker, {threads} sending thread{'s' if threads > 1 else ''})"
            )
        if not args.breaches:  # --breaches 0: deliveries only
            return
        started = time.perf_counter()
        fill(args.tickets)
        print(
            f"filled {args.tickets:,} open tickets ({2 * args.tickets:,} running clocks) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        lat = breach_latency(args.breaches)
        p99 = lat[min(len(lat) - 1, round(0.99 * len(lat)) - 1)]
        print(
            f"deadline → recorded breach ({args.breaches} breaches over 30 s, "
            f"{args.tickets:,} open tickets): p50 {statistics.median(lat):.3f} s, "
            f"p99 {p99:.3f} s, max {lat[-1]:.3f} s"
        )
    finally:
        sink.terminate()
        sink.wait(timeout=10)


if __name__ == "__main__":
    main()
