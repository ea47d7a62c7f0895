"""Which statements of an API create and list cost PostgreSQL planning time (issue 19, decision
0198): what a server without prepared statements (behind PgBouncer 1.18) pays on every request.

Run: .venv/bin/python bench/pgplan.py [--explains 31] [--top 25]

A fresh PostgreSQL database on postgresql://postgres@127.0.0.1:5432 (HELPLINE_BENCH_PG_NAME, or
one named after this process; dropped afterwards), set up as bench/api_create.py does (a store
with an account manager, one active webhook endpoint). After 20 warm-up creations, the SQL of
one POST /api/v1/tickets and one GET /api/v1/tickets is captured (Django's execute wrapper),
and each statement is planned `--explains` times with `EXPLAIN (SUMMARY)` and the statement's
own parameters (a custom plan, as an unnamed statement gets; EXPLAIN without ANALYZE runs
nothing), and run as many times on three connections of their own, interleaved: direct
prepared (psycopg's named statement: bind and run, as a direct server does), direct unprepared
(parse, plan and run every time) and through a PgBouncer 1.18 in transaction mode started here
(unprepared: what every request pays behind it), each run in a rolled-back transaction of its
own whose BEGIN and ROLLBACK are not timed (the captured request is rolled back too, so its
inserts can run again). Prints, per statement, the median planning time and the three round
trips, largest saving by preparing first, their sums for the request and the ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
SAVEPOINT = re.compile(r"\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")
PLANNING = re.compile(r"Planning Time: ([0-9.]+) ms")


def capture(action: Any) -> list[tuple[str, Any]]:
    from django.db import connection, transaction

    seen: list[tuple[str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    # Rolled back, so that its rows are not there when its statements are timed again; the
    # savepoints this makes of the request's own transactions are left out.
    with transaction.atomic(), connection.execute_wrapper(wrapper):
        action()
        transaction.set_rollback(True)
    return [(sql, params) for sql, params in seen if not SAVEPOINT.match(sql)]


def planning_ms(sql: str, params: Any, times: int) -> float | None:
    """Median planning time of SQL with its parameters; None for what EXPLAIN cannot take."""
    from django.db import connection, transaction

    if not re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", sql, re.IGNORECASE):
        return None
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        for _ in range(times):
            cursor.execute(f"EXPLAIN (SUMMARY) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            match = PLANNING.search(plan)
            if match:
                found.append(float(match.group(1)))
    return statistics.median(found) if found else None


MODES = ("direct, prepared", "direct, unprepared", "PgBouncer")


def round_trip_ms(sql: str, params: Any, times: int, conns: dict[str, Any]) -> dict[str, float]:
    """Median milliseconds of SQL's round trip on each connection, interleaved (the order
    turned every step), each run in a rolled-back transaction of its own whose BEGIN and
    ROLLBACK are not timed. Prepared: psycopg's named statement (bind and run; its first
    run, which prepares it, not counted); unprepared: parse, plan and run every time."""
    spent: dict[str, list[float]] = {mode: [] for mode in MODES}
    for step in range(times + 1):
        for mode in MODES if step % 2 else MODES[::-1]:
            conn = conns[mode]
            with conn.transaction(force_rollback=True), conn.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(sql, params, prepare=mode == "direct, prepared")
                elapsed = time.perf_counter() - started
            if step:
                spent[mode].append(elapsed * 1000)
    return {mode: statistics.median(v) for mode, v in spent.items()}


def report(
    label: str, statements: list[tuple[str, Any]], times: int, top: int, conns: dict[str, Any]
) -> None:
    rows = []
    for sql, params in statements:
        took = round_trip_ms(sql, params, times, conns)
        rows.append((planning_ms(sql, params, times), *(took[m] for m in MODES), sql))
    print(f"\n{label}: {len(statements)} statements (medians of {times}, ms)")
    print(f"  {'plan':>6} {'prep.':>6} {'unprep':>6} {'bouncer':>7}  statement")
    for plan, pre, unp, pgb, sql in sorted(rows, key=lambda r: r[2] - r[1], reverse=True)[:top]:
        shown = "-" if plan is None else f"{plan:.3f}"
        text = " ".join(sql.split())[:100]
        print(f"  {shown:>6} {pre:>6.3f} {unp:>6.3f} {pgb:>7.3f}  {text}")
    sums = [sum(r[i] or 0 for r in rows) for i in range(4)]
    print(f"  {sums[0]:>6.3f} {sums[1]:>6.3f} {sums[2]:>6.3f} {sums[3]:>7.3f}  summed")
    print(
        f"  ÷ direct, prepared: unprepared {sums[2] / sums[1]:.2f}, PgBouncer "
        f"{sums[3] / sums[1]:.2f}; planning is {sums[0] / sums[1]:.0%} of the prepared sum"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--explains", type=int, default=31)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    import psycopg

    name = os.environ.get("HELPLINE_BENCH_PG_NAME") or f"helpline_pgplan_{os.getpid()}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    os.environ["HELPLINE_PG_PREPARED"] = "off"
    try:
        import api_create  # the in-process harness beside this file

        client, path, store = api_create.setup()
        for n in range(20):  # warm: caches, the token's last-use write
            api_create.create(client, path, store, n)
        created = capture(lambda: api_create.create(client, path, store, 99))
        listed = capture(lambda: client.get(path))
        from django.db import connection

        from helpline.core.tests.pgbouncer import PgBouncer

        bouncer = PgBouncer(os.environ["DATABASE_URL"])
        bouncer.start()
        urls = {MODES[0]: os.environ["DATABASE_URL"], MODES[1]: os.environ["DATABASE_URL"]}
        conns = {
            mode: psycopg.connect(urls.get(mode, bouncer.url()), autocommit=True) for mode in MODES
        }
        try:
            report("POST /api/v1/tickets", created, args.explains, args.top, conns)
            report("GET /api/v1/tickets", listed, args.explains, args.top, conns)
        finally:
            for conn in conns.values():
                conn.close()
            bouncer.stop()
        print(f"\nload {os.getloadavg()[0]:.1f}")
        connection.close()
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
