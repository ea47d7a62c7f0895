"""Ticket creation in process: where the time of one POST /api/v1/tickets goes.

Run: .venv/bin/python bench/api_create.py [--creations 2000] [--repeat 5] [--profile] [--keyed]
     (a fresh SQLite database in a temporary directory; DATABASE_URL=postgresql://… to use
     PostgreSQL — a database the benchmark may fill and leave behind)

Django's test client, one thread, no network and no gunicorn: the request goes through the
middleware, the bearer token, ninja and pydantic, the ticket service (ticket, clocks, event,
the notify rules and their outbox rows) and the response. The store has an account manager,
and one webhook endpoint is active, so the notify rules do their usual work. Prints the SQL
queries of one creation, then per repeat the mean milliseconds per request (the figure that
is least sensitive to other load on the machine; best and median of the repeats) and the CPU
time this process spent on it (all of it on SQLite; PostgreSQL's server CPU is not included).
``--profile`` prints cProfile's top functions for one more run. ``--keyed`` sends each request
with its own ``Idempotency-Key`` (decision 0086).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup() -> tuple[Any, str, int]:
    os.environ.setdefault("HELPLINE_DATA_DIR", tempfile.mkdtemp(prefix="helpline-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpline.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # One token and one address at hundreds a second: the rate limits are not what is measured.
    settings.RATE_LIMITS = {"api.token": 10**9, "api.address": 10**9}
    from django.test import Client

    from helpline.accounts import services as accounts
    from helpline.core import clock
    from helpline.merchants import services as merchants
    from helpline.outbox import services as notify

    call_command("migrate", interactive=False, verbosity=0)
    now = clock.now()
    stamp = time.time_ns()
    merchant = merchants.merchant_create(name="Bench", slug=f"bench-{stamp}", now=now)
    manager = accounts.user_create(email=f"am-{stamp}@helpline.test", role="account_manager")
    store = merchants.store_create(
        merchant=merchant,
        name="Bench store",
        url="https://bench.example.test",
        account_manager=manager,
        now=now,
    )
    user = accounts.user_create(
        email=f"m-{stamp}@bench.test", role="merchant", merchant_id=merchant.pk
    )
    notify.webhook_endpoint_create(
        name=f"bench-{stamp}", url="https://hooks.example.test/in", secret="s" * 32, now=now
    )
    token = accounts.token_create(user=user, now=now)[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client, "/api/v1/tickets", store.pk


KEYS = iter(range(10**12))


def create(client: Any, path: str, store: int, n: int, keyed: bool = False) -> None:
    headers = {"Idempotency-Key": f"bench-{time.time_ns()}-{next(KEYS)}"} if keyed else None
    response = client.post(
        path,
        {
            "store": store,
            "subject": f"Checkout button unresponsive on product page {n}",
            "description": "Customers tap 'Buy now' and nothing happens (bench).",
            "issue_type": "functionality",
        },
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--creations", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keyed", action="store_true", help="an Idempotency-Key on each")
    args = parser.parse_args()
    client, path, store = setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    keyed = ", each with an Idempotency-Key" if args.keyed else ""
    print(f"{platform.python_version()} on {platform.machine()}, {connection.vendor}{keyed}")
    for n in range(20):  # warm: caches, the token's last-use write
        create(client, path, store, n, args.keyed)
    with CaptureQueriesContext(connection) as ctx:
        create(client, path, store, 0, args.keyed)
    print(f"queries per creation: {len(ctx.captured_queries)}")
    for q in ctx.captured_queries:
        print("  ", q["sql"][:150])
    wall, cpu = [], []
    for r in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        for n in range(args.creations):
            create(client, path, store, n, args.keyed)
        wall.append((time.perf_counter() - started) * 1000 / args.creations)
        cpu.append((time.process_time() - started_cpu) * 1000 / args.creations)
        print(
            f"repeat {r + 1}: {wall[-1]:.2f} ms a creation ({1000 / wall[-1]:.0f}/s on one "
            f"thread), of it {cpu[-1]:.2f} ms CPU in this process"
        )
    print(
        f"wall: best {min(wall):.2f} ms, median {statistics.median(wall):.2f} ms; "
        f"CPU: best {min(cpu):.2f} ms, median {statistics.median(cpu):.2f} ms "
        f"(over {args.repeat} × {args.creations} creations)"
    )
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for n in range(args.creations):
            create(client, path, store, n, args.keyed)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
