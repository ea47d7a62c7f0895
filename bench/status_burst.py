"""/status/ under N concurrent clients: the front door's shared copy against a render per
request, on the same `helpline serve`, in the same run (decision 0191).

Run: .venv/bin/python bench/status_burst.py [--clients 200] [--rounds 3]

A fresh data directory (migrated) and `helpline serve` on a free loopback port. Each round: a
burst of --clients concurrent clients, each fetching /status/ three times, first as anonymous
readers (no cookie: served from the copy), then the same burst carrying a cookie (a reader the
copy is not for: Django renders each — what every request cost before). Prints p50 / p95 / max
and requests a second for both, side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.storm import HELPLINE, free_port, pct, wait_port  # noqa: E402


async def burst(port: int, clients: int, cookie: str) -> tuple[list[float], float, int]:
    import aiohttp

    times: list[float] = []
    errors = 0
    headers = {"Cookie": cookie} if cookie else {}
    connector = aiohttp.TCPConnector(limit=clients)
    jar = aiohttp.DummyCookieJar()
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=jar, timeout=timeout) as s:

        async def client() -> None:
            nonlocal errors
            for _ in range(3):
                t0 = time.perf_counter()
                try:
                    async with s.get(f"http://127.0.0.1:{port}/status/", headers=headers) as r:
                        await r.read()
                        if r.status != 200:
                            errors += 1
                            continue
                except (TimeoutError, aiohttp.ClientError):
                    errors += 1
                    continue
                times.append((time.perf_counter() - t0) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return times, time.perf_counter() - started, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="status-burst-"))
    port = free_port()
    env = dict(os.environ, HELPLINE_DATA_DIR=str(data), HELPLINE_ALLOWED_HOSTS="127.0.0.1")
    env.pop("DATABASE_URL", None)
    # The burst comes from one address: lift the per-address page limit for it.
    env["HELPLINE_RATE_LIMITS"] = "web.address=100000000"
    subprocess.run([*HELPLINE, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    log = open(data / "serve.log", "wb")  # noqa: SIM115 - closed below
    serve = subprocess.Popen(  # noqa: S603 - our own CLI
        [*HELPLINE, "serve", "--port", str(port), "--no-migrate"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_port(port, "helpline serve", 120)
        asyncio.run(burst(port, 2, ""))  # warm both ways
        asyncio.run(burst(port, 2, "reader=1"))
        rows: dict[str, list[tuple[list[float], float, int]]] = {"shared copy": [], "render": []}
        for _ in range(args.rounds):
            rows["shared copy"].append(asyncio.run(burst(port, args.clients, "")))
            rows["render"].append(asyncio.run(burst(port, args.clients, "reader=1")))
    finally:
        serve.terminate()
        serve.wait(30)
        log.close()
    print(f"\n/status/, {args.clients} concurrent clients × 3 requests, {args.rounds} rounds")
    print(f"{'':14} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'req/s':>8} {'errors':>7}")
    for name, runs in rows.items():
        for times, took, errors in runs:
            print(
                f"{name:14} {pct(times, 0.5):9.1f} {pct(times, 0.95):9.1f} "
                f"{max(times, default=float('nan')):9.1f} {len(times) / took:8.0f} {errors:7}"
            )
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
