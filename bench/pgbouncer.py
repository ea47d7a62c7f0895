"""The ticket API straight to PostgreSQL and through PgBouncer (transaction mode), side by side in
one run (issue 19's goal: through PgBouncer within 10 % of direct).

Run: .venv/bin/python bench/pgbouncer.py [--tickets 200] [--rounds 3] [--requests 100]
         [--creations 150]

A fresh PostgreSQL database on postgresql://postgres@127.0.0.1:5432 (HELPLINE_BENCH_PG_NAME, or
one named after this process; dropped afterwards), `helpline migrate`, then a merchant with a
store, its user's API token and N tickets through the services (SEED; the demo's generator is
far slower and not what is measured). Then two `helpline serve --workers 2` on it at once: one
with DATABASE_URL straight to PostgreSQL (prepared statements on, the default), one through a
PgBouncer 1.18 in transaction
mode started here (HELPLINE_PGBOUNCER=on: prepared statements and server-side cursors off;
decision 0156). Each round measures both, one after the other, so a busy neighbour weighs on
both: the merchant user's first page of GET /api/v1/tickets (`--requests`, after 20 not
counted), and `--creations` POST /api/v1/tickets from 2 threads (after 100 not counted). The
clients and helpers are bench/api_tickets.py's. Medians of the rounds' p50s and rates.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import api_tickets as base  # the harness beside this file

SEED = r"""
import sys
import django
django.setup()
from helpline.accounts import services as accounts
from helpline.merchants import services as merchants
from helpline.tickets import services as tickets
m = merchants.merchant_create(name="Bench", slug="bench")
store = merchants.store_create(merchant=m, name="Bench store", url="https://bench.example.test")
user = accounts.user_create(email="bench@bench.test", role="merchant", merchant_id=m.pk)
for i in range(int(sys.argv[-1])):
    tickets.ticket_create(actor=user, store=store, subject=f"Seeded {i}",
                          description="Seeded by bench/pgbouncer.py", issue_type="functionality")
print(accounts.token_create(user=user)[1])
"""


def first_page_ms(port: int, token: str, requests: int) -> float:
    client = base.Client(port, token)
    for _ in range(20):
        client.get("/api/v1/tickets")
    seconds = [client.get("/api/v1/tickets")[0] for _ in range(requests)]
    return statistics.median(seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--creations", type=int, default=150)
    args = parser.parse_args()
    from helpline.core.tests.pgbouncer import PgBouncer

    figures: dict[str, dict[str, list[float]]] = {
        name: {"list": [], "create p50": [], "create/s": []} for name in ("direct", "pgbouncer")
    }
    with ExitStack() as stack:
        data_dir, url = stack.enter_context(base.database("postgresql", args.tickets))
        assert url is not None
        env = base.env_for(data_dir, url)
        base.helpline("migrate", "--quiet", env=env)
        seeded = subprocess.run(  # noqa: S603 - this interpreter, our own script
            [sys.executable, "-c", SEED, str(args.tickets)],
            env={**env, "DJANGO_SETTINGS_MODULE": "helpline.settings"},
            capture_output=True,
            text=True,
            check=True,
        )
        token = seeded.stdout.split()[-1]
        bouncer = PgBouncer(url)
        bouncer.start()
        stack.callback(bouncer.stop)
        pooled = {**base.env_for(data_dir, bouncer.url()), "HELPLINE_PGBOUNCER": "on"}
        ports = {
            "direct": stack.enter_context(base.server(env, data_dir / "direct.log")),
            "pgbouncer": stack.enter_context(base.server(pooled, data_dir / "pgbouncer.log")),
        }
        for _ in range(args.rounds):
            for name, port in ports.items():
                figures[name]["list"].append(first_page_ms(port, token, args.requests))
                rate, timing = base.measure_creation(port, token, args.creations)
                figures[name]["create/s"].append(rate)
                figures[name]["create p50"].append(timing.p50_ms)
    print(
        f"# {args.tickets:,} tickets, {args.rounds} rounds, load {os.getloadavg()[0]:.1f}; "
        "medians of the rounds"
    )
    print(f"{'':<10} {'list p50 ms':>12} {'create p50 ms':>14} {'creates/s':>10}")
    for name, found in figures.items():
        print(
            f"{name:<10} {statistics.median(found['list']):>12.2f} "
            f"{statistics.median(found['create p50']):>14.2f} "
            f"{statistics.median(found['create/s']):>10.1f}"
        )
    d, p = figures["direct"], figures["pgbouncer"]
    print(
        f"{'ratio':<10} {statistics.median(p['list']) / statistics.median(d['list']):>12.2f} "
        f"{statistics.median(p['create p50']) / statistics.median(d['create p50']):>14.2f} "
        f"{statistics.median(p['create/s']) / statistics.median(d['create/s']):>10.2f}"
    )


if __name__ == "__main__":
    main()
