"""The ticket API straight to PostgreSQL and through PgBouncer (transaction mode), side by side in
one run (issue 19's goal: through PgBouncer within 10 % of direct).

Run: .venv/bin/python bench/pgbouncer.py [--tickets 200] [--rounds 3] [--requests 100]
         [--creations 150] [--unprepared]

A fresh PostgreSQL database on postgresql://postgres@127.0.0.1:5432 (HELPLINE_BENCH_PG_NAME, or
one named after this process; dropped afterwards), `helpline migrate`, then a merchant with a
store, its user's API token and N tickets through the services (SEED; the demo's generator is
far slower and not what is measured). Then two `helpline serve --workers 2` on it at once: one
with DATABASE_URL straight to PostgreSQL (prepared statements on, the default), one through a
PgBouncer 1.18 in transaction mode started here (HELPLINE_PGBOUNCER=on: prepared statements and
server-side cursors off; decision 0156). Each round asks both servers request by request, in
turn (the order swapped every step), so a neighbour's burst weighs on both alike (decision
0197; rounds of one server and then the other differed by 1.4× either way on this shared
machine): the merchant user's first page of GET /api/v1/tickets (`--requests` pairs, after 20
not counted), and `--creations` POST /api/v1/tickets a server from 2 threads at once (after 25
pairs a thread not counted). The clients and helpers are bench/api_tickets.py's. Medians of
the rounds' p50s and means; creates/s is the 2 threads ÷ the mean. `--unprepared` adds a third
server straight to PostgreSQL with HELPLINE_PG_PREPARED=off: what PgBouncer costs beyond the
prepared statements it cannot keep.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any

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

THREADS = 2
LIMITS = "api.token=100000000, api.address=100000000"


def paired(ports: dict[str, int], token: str, requests: int, creations: int) -> dict[str, Any]:
    """Both servers, request by request: each step asks one then the other (the order swapped
    every step), so a neighbour's burst weighs on both alike. Lists from one client; creates
    from THREADS clients at once, each alternating. Seconds per request, by server."""
    names = list(ports)
    lists: dict[str, list[float]] = {n: [] for n in names}
    creates: dict[str, list[float]] = {n: [] for n in names}
    clients = {n: base.Client(port, token) for n, port in ports.items()}
    for step in range(20 + requests):  # the first 20 of each warm the workers, not counted
        for n in names if step % 2 else names[::-1]:
            elapsed = clients[n].get("/api/v1/tickets")[0]
            if step >= 20:
                lists[n].append(elapsed)
    store = clients[names[0]].get("/api/v1/stores")[1][0]["id"]
    lock = threading.Lock()
    errors: list[str] = []

    def work(thread: int, count: int, counted: bool) -> None:
        mine = {n: base.Client(port, token) for n, port in ports.items()}
        for step in range(count):
            for n in names if (step + thread) % 2 else names[::-1]:
                body = {
                    "store": store,
                    "subject": f"Checkout button unresponsive {thread}-{step}-{counted}",
                    "description": "Customers tap 'Buy now' and nothing happens (bench).",
                    "issue_type": "functionality",
                }
                elapsed, status, payload = mine[n].call("POST", "/api/v1/tickets", body)
                with lock:
                    if status != 201:
                        errors.append(f"{n}: {status} {payload}")
                    elif counted:
                        creates[n].append(elapsed)

    for count, counted in ((25, False), (creations // THREADS, True)):
        threads = [threading.Thread(target=work, args=(t, count, counted)) for t in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if errors:
        raise RuntimeError(f"creation failed: {errors[:3]}")
    return {"list": lists, "create": creates}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--creations", type=int, default=150)
    parser.add_argument(
        "--unprepared",
        action="store_true",
        help="a third server: direct to PostgreSQL with prepared statements off, as through 1.18",
    )
    args = parser.parse_args()
    from helpline.core.tests.pgbouncer import PgBouncer

    with ExitStack() as stack:
        data_dir, url = stack.enter_context(base.database("postgresql", args.tickets))
        assert url is not None
        # The API's rate limits stay on (their upsert is part of a create) but high enough for
        # the run: the default 600 a minute per token stopped the second round (decision 0126).
        env = {**base.env_for(data_dir, url), "HELPLINE_RATE_LIMITS": LIMITS}
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
        pooled = {
            **base.env_for(data_dir, bouncer.url()),
            "HELPLINE_RATE_LIMITS": LIMITS,
            "HELPLINE_PGBOUNCER": "on",
        }
        ports = {
            "direct": stack.enter_context(base.server(env, data_dir / "direct.log")),
            "pgbouncer": stack.enter_context(base.server(pooled, data_dir / "pgbouncer.log")),
        }
        if args.unprepared:
            # The peer that tells the pooler's hop from the prepared statements it cannot keep.
            unprepared = {**env, "HELPLINE_PG_PREPARED": "off"}
            ports["direct, unprepared"] = stack.enter_context(
                base.server(unprepared, data_dir / "unprepared.log")
            )
        rounds = [paired(ports, token, args.requests, args.creations) for _ in range(args.rounds)]
    print(
        f"# {args.tickets:,} tickets, {args.rounds} rounds of {args.requests} lists and "
        f"{args.creations} creates each ({THREADS} threads), paired request by request; "
        f"load {os.getloadavg()[0]:.1f}; medians of the rounds"
    )
    figures: dict[str, dict[str, float]] = {}
    for name in ports:

        def over_rounds(what: str, of: Any, name: str = name) -> float:
            return statistics.median(of(r[what][name]) for r in rounds)

        figures[name] = {
            "list p50": over_rounds("list", lambda v: base.percentile(v, 0.5)),
            "create p50": over_rounds("create", lambda v: base.percentile(v, 0.5)),
            "create mean": over_rounds("create", statistics.mean),
        }
        # Two clients at once, each waiting for its answer: their rate is THREADS ÷ the mean.
        figures[name]["creates/s"] = THREADS / figures[name]["create mean"]
    head = ("list p50 ms", "create p50 ms", "create mean ms", "creates/s")
    print(f"{'':<20} " + " ".join(f"{h:>15}" for h in head))
    for name, found in figures.items():
        print(
            f"{name:<20} "
            + " ".join(
                f"{found[k] * (1 if k == 'creates/s' else 1000):>15.2f}"
                for k in ("list p50", "create p50", "create mean", "creates/s")
            )
        )
    d = figures["direct"]
    for name, found in figures.items():
        if name != "direct":
            label = f"{name} ÷ direct"
            print(f"{label:<20} " + " ".join(f"{found[k] / d[k]:>15.2f}" for k in d))


if __name__ == "__main__":
    main()
