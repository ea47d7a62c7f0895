"""How many store probes a second one worker process makes, and what watching 10,000 stores at a
60 s interval costs in CPU.

Run: .venv/bin/python bench/probes.py [--monitors 10000] [--concurrency 500]
         [--engines sqlite,postgresql] [--json results.json]

A local aiohttp server (its own process, so its CPU is not counted) answers every GET with 200
and a small page. Each monitor has its own host name (s<i>.bench.test), resolved by a table
resolver to 127.0.0.1 through the same address guard as in production (loopback allowed), and
every probe opens a new connection (as probes of different stores do).

0. Reference: a bare aiohttp client (same server, same concurrency, new connections).
1. Bare probes: ``probe.probe_all`` over all the targets, no database: probes per second and
   the CPU seconds this process spent (user + system).
2. Full rounds through ``engine.probe_step`` on a fresh database (SQLite in a temporary data
   directory; PostgreSQL on postgresql://postgres@127.0.0.1:5432/helpline_bench_probes, created
   and dropped): claim the due monitors, probe, record. The first round moves every monitor
   from "new" to "up" (one write each); the following rounds are the steady state (every monitor
   up and still up: one bulk update). The figure that matters is CPU seconds per steady round
   ÷ 60 s: the share of one core it takes to watch that many stores at a 60 s interval.
The machine may be shared: the 1-minute load average is printed beside each figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_NAME = "helpline_bench_probes"

SERVER = r"""
import sys
from aiohttp import web

async def ok(request):
    return web.Response(text="<html><body>Welcome to the shop</body></html>")

app = web.Application()
app.router.add_get("/", ok)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, backlog=4096,
            access_log=None)
"""


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load() -> float:
    return os.getloadavg()[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])  # noqa: S603
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the local server did not start")


def table_resolver(count: int) -> Any:
    from aiohttp.abc import AbstractResolver, ResolveResult

    class Table(AbstractResolver):
        async def resolve(
            self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
        ) -> list[ResolveResult]:
            return [
                ResolveResult(
                    hostname=host,
                    host="127.0.0.1",
                    port=port,
                    family=socket.AF_INET,
                    proto=0,
                    flags=0,
                )
            ]

        async def close(self) -> None:
            return None

    return Table()


def bare(port: int, count: int, concurrency: int) -> dict[str, Any]:
    from helpline.monitoring.probe import Policy, Target, probe_all

    targets = [Target(i + 1, f"http://s{i}.bench.test:{port}/") for i in range(count)]
    policy = Policy(allow_loopback=True)
    before_load = load()
    c0, t0 = cpu(), time.perf_counter()
    outcomes = asyncio.run(
        probe_all(targets, policy=policy, resolver=table_resolver(count), concurrency=concurrency)
    )
    wall, used = time.perf_counter() - t0, cpu() - c0
    ok = sum(o.ok for o in outcomes)
    assert ok == count, f"only {ok} of {count} probes succeeded: {outcomes[0]}"
    return {
        "probes": count,
        "wall_s": round(wall, 2),
        "probes_per_s": round(count / wall),
        "cpu_s": round(used, 2),
        "cpu_ms_per_probe": round(1000 * used / count, 3),
        "load_before": before_load,
    }


def reference(port: int, count: int, concurrency: int) -> dict[str, Any]:
    """A bare aiohttp client on the same server, same concurrency, new connections, no guard,
    no resolver, no checks: what the probe machinery costs on top."""
    import aiohttp

    async def run() -> int:
        gate = asyncio.Semaphore(concurrency)
        connector = aiohttp.TCPConnector(limit=0, force_close=True)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def one() -> int:
                async with gate, session.get(f"http://127.0.0.1:{port}/") as response:
                    await response.read()
                    return response.status

            return sum(s == 200 for s in await asyncio.gather(*(one() for _ in range(count))))

    before_load = load()
    c0, t0 = cpu(), time.perf_counter()
    ok = asyncio.run(run())
    wall, used = time.perf_counter() - t0, cpu() - c0
    assert ok == count
    return {
        "requests": count,
        "wall_s": round(wall, 2),
        "requests_per_s": round(count / wall),
        "cpu_s": round(used, 2),
        "cpu_ms_per_request": round(1000 * used / count, 3),
        "load_before": before_load,
    }


def setup_django(engine: str) -> None:
    os.environ["HELPLINE_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-probes-")
    os.environ["HELPLINE_MONITOR_ALLOW_LOOPBACK"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpline.settings"
    if engine == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
            conn.execute(f"CREATE DATABASE {PG_NAME}")
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def rounds(port: int, count: int, concurrency: int, steady: int) -> dict[str, Any]:
    from django.conf import settings

    from helpline.merchants import services as merchants
    from helpline.monitoring import engine
    from helpline.monitoring.models import Monitor

    settings.MONITOR_CONCURRENCY = concurrency
    t = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    merchant = merchants.merchant_create(name="Bench", slug="bench", now=t)
    store = merchants.store_create(merchant=merchant, name="Bench", url="https://b.test", now=t)
    Monitor.objects.bulk_create(
        [
            Monitor(
                store=store,
                url=f"http://s{i}.bench.test:{port}/",
                next_probe_at=t,
                created_at=t,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    resolver = table_resolver(count)
    out: dict[str, Any] = {"rounds": []}
    for n in range(steady + 1):
        at = t + timedelta(seconds=60 * n)
        before_load = load()
        c0, t0 = cpu(), time.perf_counter()
        result = engine.probe_step(now=at, worker="bench", limit=count, resolver=resolver)
        wall, used = time.perf_counter() - t0, cpu() - c0
        assert result.claimed == count, result
        assert result.summary is not None and result.summary.failures == 0, result
        out["rounds"].append(
            {
                "round": n,
                "kind": "first (new → up)" if n == 0 else "steady (up → up)",
                "wall_s": round(wall, 2),
                "cpu_s": round(used, 2),
                "probes_per_s": round(count / wall),
                "share_of_one_core_at_60s": round(used / 60, 3),
                "load_before": before_load,
            }
        )
    steady_rounds = out["rounds"][1:]
    out["steady_cpu_s"] = round(sum(r["cpu_s"] for r in steady_rounds) / len(steady_rounds), 2)
    out["steady_share_of_one_core"] = round(out["steady_cpu_s"] / 60, 3)
    return out


def child(args: argparse.Namespace, engine: str, port: int) -> None:
    setup_django(engine)
    result = rounds(port, args.monitors, args.concurrency, args.steady)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--engines", default="sqlite")
    parser.add_argument("--steady", type=int, default=3, help="steady rounds after the first")
    parser.add_argument("--json", default="")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args, args.child, args.port)
        return
    server, port = start_server()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "monitors": args.monitors,
        "concurrency": args.concurrency,
    }
    try:
        bare(port, 500, args.concurrency)  # warm-up
        results["reference"] = reference(port, args.monitors, args.concurrency)
        print("bare aiohttp client:", results["reference"], flush=True)
        results["bare"] = bare(port, args.monitors, args.concurrency)
        print("probes, no database:", results["bare"], flush=True)
        for engine in [e for e in args.engines.split(",") if e]:
            # A fresh process per engine: Django is set up once per process.
            done = subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    __file__,
                    "--child",
                    engine,
                    "--port",
                    str(port),
                    "--monitors",
                    str(args.monitors),
                    "--concurrency",
                    str(args.concurrency),
                    "--steady",
                    str(args.steady),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                print(done.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"{engine}: the rounds failed")
            results[engine] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{engine} rounds:", json.dumps(results[engine], indent=1), flush=True)
    finally:
        server.terminate()
        server.wait(10)
        if "postgresql" in args.engines:
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
