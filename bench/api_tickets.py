"""How fast is the ticket API with 10,000 and 100,000 tickets, through the real server?

Run: .venv/bin/python bench/api_tickets.py [--engines sqlite,postgresql] [--sizes 10000,100000]
         [--requests 200] [--creations 2000] [--settle LOAD] [--json results.json]

For each engine and size, a fresh database: SQLite in a temporary HELPLINE_DATA_DIR, or a
PostgreSQL database created on postgresql://postgres@127.0.0.1:5432 and dropped afterwards.
`helpline migrate`, then `helpline demo --tickets N --seed 1` (timed: the generation figure),
then (after a CHECKPOINT on PostgreSQL and a sync: the generation's writes are not left to be
flushed during the measurement) `helpline serve --workers 2` as a subprocess. This process is
the client, with one http.client connection per thread (kept alive where the server allows it;
gunicorn's sync workers close it after each response, so a request includes a local TCP connect)
and the bearer tokens the demo prints. For an agent (sees every ticket) and a merchant user
(sees their merchant's): `--requests` GETs of the first page of /api/v1/tickets, of the page
~1,000 tickets deep (the cursor reached by following `next`) and of a page half-way down the
table (a cursor made from the middle id), p50 and p95. Then `--creations` POST /api/v1/tickets
from 2 threads as the merchant user, after 100 not counted (as the pages have a warm-up: each
worker prepares its statements and builds its caches on its first requests), then as many
again, each with its own Idempotency-Key (decision 0086: what a key costs). The number of SQL
queries per page and the list query's plan are read in a separate process through Django's test
client. The machine may be shared: the 1-minute load average is recorded before each phase
(`--settle` waits for it to drop first), and the generation's CPU time is given beside its wall
time.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HELPLINE = [sys.executable, "-c", "import sys; from helpline.cli import main; sys.exit(main())"]
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
AGENT = "meera@helpline.example"
MERCHANT = "priya@kalpanahandlooms.example"
PAGE = 50
DEEP = 1_000
STARTUP_SECONDS = 180
QUIET_WAIT_SECONDS = 900

# What the ticket list's queries are, and how they run: read in-process with Django's test
# client (argv[1]: {"who": token}, argv[2]: {"who": {"page": cursor or ""}}).
PROBE = r"""
import json, sys
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

tokens, cursors = json.loads(sys.argv[1]), json.loads(sys.argv[2])
found = {}
for who, token in tokens.items():
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for page, cursor in cursors[who].items():
        path = "/api/v1/tickets" + (f"?cursor={cursor}" if cursor else "")
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, response.content
        sqls = [q["sql"] for q in ctx.captured_queries]
        listing = next(s for s in sqls if 'FROM "tickets_ticket"' in s and "LIMIT" in s)
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
        with connection.cursor() as c:
            c.execute(explain + listing)
            plan = [" ".join(str(v) for v in row) for row in c.fetchall()]
        found[f"{who} {page}"] = {"queries": len(sqls), "sql": listing, "plan": plan}
print(json.dumps(found))
"""


@dataclass
class Timing:
    label: str
    p50_ms: float
    p95_ms: float
    requests: int


@dataclass
class Result:
    engine: str
    tickets: int
    generation_s: float = 0.0
    generation_cpu_s: float = 0.0
    generation_reported_s: float = 0.0
    load: dict[str, float] = field(default_factory=dict)
    rows: str = ""
    pages: list[Timing] = field(default_factory=list)
    creation_per_s: float = 0.0
    creation: Timing | None = None
    keyed_per_s: float = 0.0  # each creation with its own Idempotency-Key (decision 0086)
    keyed: Timing | None = None
    queries: dict[str, Any] = field(default_factory=dict)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def timing(label: str, seconds: list[float]) -> Timing:
    ms = [s * 1000 for s in seconds]
    return Timing(label, round(percentile(ms, 0.5), 2), round(percentile(ms, 0.95), 2), len(ms))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cursor_for(ticket_id: int) -> str:
    """The API's cursor for "after ticket_id" (tickets.selectors.encode_cursor)."""
    return base64.urlsafe_b64encode(f"t{ticket_id}".encode()).decode().rstrip("=")


class Client:
    """One HTTP connection, reopened by http.client when the server closes it."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def call(
        self, method: str, path: str, body: Any = None, extra: dict[str, str] | None = None
    ) -> tuple[float, int, Any]:
        headers = {**self.headers, **(extra or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        if response.will_close:
            self.conn.close()
        return elapsed, response.status, json.loads(raw) if raw else None

    def get(self, path: str) -> tuple[float, Any]:
        elapsed, status, payload = self.call("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {payload}")
        return elapsed, payload


def env_for(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HELPLINE_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["HELPLINE_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(ROOT)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def helpline(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603 - our own CLI, argv built here
        [*HELPLINE, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"helpline {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done


@contextmanager
def database(engine: str, tickets: int) -> Iterator[tuple[Path, str | None]]:
    """A fresh data directory, and a fresh PostgreSQL database if asked; removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"helpline-bench-{engine}-"))
    # HELPLINE_BENCH_PG_NAME: a database name of one's own (it is dropped and made afresh).
    name = os.environ.get("HELPLINE_BENCH_PG_NAME") or f"helpline_bench_{os.getpid()}_{tickets}"
    url = None
    if engine == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"{PG_SERVER}/{name}"
    try:
        yield data_dir, url
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if engine == "postgresql":
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(env: dict[str, str], log: Path) -> Iterator[int]:
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own CLI, argv built here
            [*HELPLINE, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                # The schema takes seconds to build on a busy machine: a 2 s wait never saw it.
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
                conn.request("GET", "/api/v1/openapi.json")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve did not answer in {STARTUP_SECONDS}s")
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def tokens_from(demo_output: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(\S+@\S+)\s+(hl_\S+)\s*$", demo_output, re.MULTILINE))


def deep_cursor(client: Client) -> str:
    """Follow `next` until ~DEEP tickets have been listed."""
    cursor = ""
    for _ in range(DEEP // PAGE):
        _, page = client.get("/api/v1/tickets" + (f"?cursor={cursor}" if cursor else ""))
        cursor = page["next"]
    return cursor


def measure_pages(
    port: int, who: str, token: str, requests: int
) -> tuple[list[Timing], dict[str, str]]:
    client = Client(port, token)
    _, first = client.get("/api/v1/tickets")
    newest = first["items"][0]["id"]
    cursors = {
        "first page": "",
        f"~{DEEP:,} deep": deep_cursor(client),
        "half-way": cursor_for(newest // 2),
    }
    found = []
    for label, cursor in cursors.items():
        path = "/api/v1/tickets" + (f"?cursor={cursor}" if cursor else "")
        for _ in range(20):  # warm-up: both workers, the page cache
            client.get(path)
        seconds = []
        for _ in range(requests):
            elapsed, page = client.get(path)
            assert len(page["items"]) == PAGE
            seconds.append(elapsed)
        found.append(timing(f"{who}, {label}", seconds))
    return found, cursors


def measure_creation(
    port: int, token: str, creations: int, threads: int = 2, keyed: bool = False
) -> tuple[float, Timing]:
    store = Client(port, token).get("/api/v1/stores")[1][0]["id"]
    seconds: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def work(count: int, offset: int) -> None:
        client = Client(port, token)
        mine = []
        for n in range(count):
            body = {
                "store": store,
                "subject": f"Checkout button unresponsive on product page {offset + n}",
                "description": "Customers tap 'Buy now' and nothing happens (bench).",
                "issue_type": "functionality",
            }
            key = {"Idempotency-Key": f"bench-{offset + n}"} if keyed else None
            elapsed, status, payload = client.call("POST", "/api/v1/tickets", body, key)
            if status != 201:
                errors.append(f"{status} {payload}")
                return
            mine.append(elapsed)
        with lock:
            seconds.extend(mine)

    # Warm-up, as for the pages: each worker's first requests prepare its statements and
    # build its caches (the SLA calendars); the figure is the steady state. Not counted.
    warm = [threading.Thread(target=work, args=(50, 10**6 + i * 50)) for i in range(threads)]
    for w in warm:
        w.start()
    for w in warm:
        w.join()
    seconds.clear()
    share = creations // threads
    workers = [threading.Thread(target=work, args=(share, i * share)) for i in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"creation failed: {errors[:3]}")
    label = f"create{' keyed' if keyed else ''}, {threads} threads"
    return len(seconds) / wall, timing(label, seconds)


def wait_for_quiet(limit: float | None, what: str, result: Result) -> None:
    """Wait (up to QUIET_WAIT_SECONDS) for the 1-minute load average to drop below ``limit``: the
    machine may be shared. The load seen is recorded either way."""
    if limit is not None:
        deadline = time.monotonic() + QUIET_WAIT_SECONDS
        while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
            time.sleep(5)
    result.load[what] = round(os.getloadavg()[0], 2)


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def flush_writes(url: str | None) -> None:
    """Write out what the generation left in memory before measuring: PostgreSQL's dirty
    buffers (a CHECKPOINT) and the kernel's dirty pages (sync). Otherwise the checkpoint that
    a bulk load brings on runs during the measurement and slows every commit's WAL flush
    (seen: 283–295 creations/s on 10,000 tickets against 340–360/s without it)."""
    if url is not None:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
    os.sync()


def run(engine: str, tickets: int, requests: int, creations: int, calm: float | None) -> Result:
    result = Result(engine, tickets)
    with database(engine, tickets) as (data_dir, url):
        env = env_for(data_dir, url)
        helpline("migrate", "--quiet", env=env)
        wait_for_quiet(calm, "generation", result)
        started, cpu = time.perf_counter(), cpu_of_children()
        demo = helpline("demo", "--tickets", str(tickets), "--seed", "1", "--no-migrate", env=env)
        result.generation_s = round(time.perf_counter() - started, 1)
        result.generation_cpu_s = round(cpu_of_children() - cpu, 1)
        first_line = demo.stdout.splitlines()[0]
        reported = re.search(r"in ([\d.]+) s: (.*)\.$", first_line)
        if reported:
            result.generation_reported_s, result.rows = float(reported[1]), reported[2]
        tokens = tokens_from(demo.stdout)
        users = {"agent": tokens[AGENT], "merchant": tokens[MERCHANT]}
        flush_writes(url)
        print(
            f"  {engine} {tickets:,}: generated in {result.generation_s} s, "
            f"{result.generation_cpu_s} s CPU, load {result.load['generation']} ({first_line})"
        )
        with server(env, data_dir / "serve.log") as port:
            cursors = {}
            wait_for_quiet(calm, "pages", result)
            for who, token in users.items():
                found, cursors[who] = measure_pages(port, who, token, requests)
                result.pages += found
            probe = subprocess.run(  # noqa: S603 - this interpreter, our own probe
                [sys.executable, "-c", PROBE, json.dumps(users), json.dumps(cursors)],
                env={**env, "DJANGO_SETTINGS_MODULE": "helpline.settings"},
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            result.queries = json.loads(probe.stdout)
            wait_for_quiet(calm, "creation", result)
            result.creation_per_s, result.creation = measure_creation(
                port, users["merchant"], creations
            )
            result.creation_per_s = round(result.creation_per_s, 1)
            wait_for_quiet(calm, "keyed creation", result)
            keyed_per_s, result.keyed = measure_creation(
                port, users["merchant"], creations, keyed=True
            )
            result.keyed_per_s = round(keyed_per_s, 1)
    return result


def machine() -> dict[str, Any]:
    import sqlite3

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "ram_gib": round(memory, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": os.getloadavg(),
    }
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
            row = conn.execute("SHOW server_version").fetchone()
            info["postgresql"] = row[0] if row else "?"
    except Exception:  # no server: the PostgreSQL runs are skipped
        info["postgresql"] = None
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--creations", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--settle",
        type=float,
        metavar="LOAD",
        help="before each phase wait (up to 15 min) for the 1-minute load average < LOAD",
    )
    args = parser.parse_args()
    # Stopped with SIGTERM: still stop the server and drop the databases (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    info = machine()
    for key, value in info.items():
        print(f"{key + ':':14} {value}")
    engines = args.engines.split(",")
    if "postgresql" in engines and not info["postgresql"]:
        print(f"no PostgreSQL at {PG_SERVER}: skipping it")
        engines.remove("postgresql")
    results = []
    for engine in engines:
        for size in (int(s) for s in args.sizes.split(",")):
            results.append(run(engine, size, args.requests, args.creations, args.settle))
    info["load_average_after"] = os.getloadavg()
    print()
    print(f"{'engine':<11}{'tickets':>9}  {'request':<28}{'p50 ms':>8}{'p95 ms':>8}  queries")
    for r in results:
        for t in r.pages:
            who, page = t.label.split(", ")
            queries = r.queries.get(f"{who} {page}", {}).get("queries", "")
            head = f"{r.engine:<11}{r.tickets:>9,}  {t.label:<28}"
            print(f"{head}{t.p50_ms:>8.1f}{t.p95_ms:>8.1f}  {queries}")
        for c, rate in ((r.creation, r.creation_per_s), (r.keyed, r.keyed_per_s)):
            if c is None:
                continue
            print(
                f"{r.engine:<11}{r.tickets:>9,}  {c.label:<28}{c.p50_ms:>8.1f}{c.p95_ms:>8.1f}"
                f"  → {rate:,.0f} tickets/s over {c.requests:,}"
            )
    print()
    for r in results:
        print(
            f"generation  {r.engine:<11}{r.tickets:>9,} tickets: {r.generation_s:6.1f} s wall, "
            f"{r.generation_cpu_s:6.1f} s CPU ({r.rows})"
        )
    print()
    for r in results:
        print(f"load average (1 min) {r.engine:<11}{r.tickets:>9,}: {r.load}")
    if args.json:
        args.json.write_text(
            json.dumps({"machine": info, "results": [asdict(r) for r in results]}, indent=2)
        )


if __name__ == "__main__":
    main()
