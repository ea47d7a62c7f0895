"""Server time of the web pages with 100,000 tickets (the goal: under 50 ms a page).

Run: .venv/bin/python bench/web_pages.py [--tickets 100000] [--requests 50] [--reuse]
     (DATABASE_URL=postgresql://…/helpline_bench to use PostgreSQL: a database it may fill;
     --reuse: HELPLINE_DATA_DIR / the database already holds the demo data, measure only)

A fresh HELPLINE_DATA_DIR, `helpline migrate`, `helpline demo --tickets N --seed 1`, then in
this process Django's test client signed in as the demo's agent and a merchant user: each page
is requested --requests times after two warm-up requests, and the time from request to response
inside Django (templates, queries, middleware; no network, no gunicorn) is reported, p50 and
p95, the CPU time of this process (p50: what the page costs, less sensitive than wall time to
other work on the machine), and the number of SQL queries of one request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELPLINE = [sys.executable, "-c", "import sys; from helpline.cli import main; sys.exit(main())"]
AGENT = "meera@helpline.example"
MERCHANT = "priya@kalpanahandlooms.example"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--reuse", action="store_true", help="HELPLINE_DATA_DIR already holds the demo data"
    )
    args = parser.parse_args()
    os.environ["HELPLINE_DATA_DIR"] = os.environ.get("HELPLINE_DATA_DIR") or tempfile.mkdtemp()
    os.environ.setdefault("HELPLINE_ALLOWED_HOSTS", "testserver,localhost")
    started = time.perf_counter()
    if not args.reuse:
        make_data(args.tickets)
        print(f"data: {args.tickets:,} tickets in {time.perf_counter() - started:.0f} s")
    measure(args.requests)


def make_data(tickets: int) -> None:
    subprocess.run([*HELPLINE, "migrate"], check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    subprocess.run(  # noqa: S603 - our own CLI, arguments we build
        [*HELPLINE, "demo", "--tickets", str(tickets), "--seed", "1", "--no-migrate"],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )


def measure(requests: int) -> None:

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from helpline.accounts.models import User
    from helpline.tickets.models import Ticket

    agent, merchant = User.objects.get(email=AGENT), User.objects.get(email=MERCHANT)
    assert merchant.merchant_id is not None
    theirs = Ticket.objects.filter(merchant_id=merchant.merchant_id).order_by("-pk").first()
    busy = Ticket.objects.order_by("-pk").first()
    assert theirs is not None and busy is not None
    pages = [
        (merchant, "/support/"),
        (merchant, "/support/?tab=closed"),
        (merchant, "/support/new/"),
        (merchant, f"/support/t/{theirs.pk}/"),
        (agent, "/console/"),
        (agent, "/console/?q=mine"),
        (agent, "/console/?q=unassigned"),
        (agent, "/console/?q=due_soon"),
        (agent, "/console/?q=breached"),
        (agent, "/console/?q=waiting"),
        (agent, "/console/?priority=C1"),
        (agent, f"/console/t/{busy.pk}/"),
        (agent, "/console/?q=open#htmx"),  # the 30-s refresh: the rows only
        (merchant, "/help/"),
    ]
    print(f"{'page':32} {'who':8} {'p50 ms':>7} {'p95 ms':>7} {'CPU p50':>7} {'queries':>7}")
    for user, path in pages:
        client = Client(headers={"HX-Request": "true"} if path.endswith("#htmx") else None)
        client.force_login(user)
        for _ in range(2):
            assert client.get(path).status_code == 200, path
        times, cpu = [], []
        for _ in range(requests):
            t0, c0 = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        who = "merchant" if user == merchant else "agent"
        print(
            f"{path[:32]:32} {who:8} {statistics.median(times):7.1f} {p95:7.1f}"
            f" {statistics.median(cpu):7.1f} {len(queries):7d}"
        )


if __name__ == "__main__":
    main()
