"""The rate limits (issue 21): do they hold, and what do they cost a request?

Run: .venv/bin/python bench/rate_limits.py [--limit 600] [--over 600] [--requests 2000]
     (DATABASE_URL=postgresql://…/helpline_limits_bench to use PostgreSQL: a database it may fill)

A fresh HELPLINE_DATA_DIR and `helpline migrate`, one merchant, one agent with an API token; then
Django's test client in process:

1. **Holds**: one token sends --limit + --over requests of GET /api/v1/tickets within one window
   (the clock is held still); prints how many were over the limit, how many 429s came back, and
   at which request the first one did (the goal: within 1 % of the limit).
2. **Costs**: --requests GET /api/v1/tickets with the limiter and as many without it (its
   middleware taken out; same process, alternating blocks of 100), the limit raised so nothing
   is refused; median and p95 in ms, and the difference — the limiter's price per request (one
   upsert of two rows). Also the limiter's statement alone (``limits.hit_many``), median µs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELPLINE = [sys.executable, "-c", "import sys; from helpline.cli import main; sys.exit(main())"]
LIMITER = "helpline.core.middleware.RateLimitMiddleware"


def _setup() -> str:
    from helpline.accounts import services as accounts
    from helpline.merchants import services as merchants

    now = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    merchants.merchant_create(name="Bench Retail", slug="bench", now=now)
    ravi = accounts.user_create(email="ravi@helpline.test", role="agent", first_name="Ravi")
    _token, raw = accounts.token_create(user=ravi, name="bench", now=now)
    return raw


def _holds(client: object, token: str, limit: int, over: int) -> None:
    import time_machine
    from django.conf import settings

    settings.RATE_LIMITS = {"api.token": limit}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        codes = [client.get("/api/v1/tickets", **auth).status_code for _ in range(limit + over)]  # type: ignore[attr-defined]
    refused = codes.count(429)
    first = codes.index(429) + 1 if refused else None
    print(
        f"holds: {limit + over} requests in one window, limit {limit}: {over} over the limit, "
        f"{refused} answered 429, the first at request {first} "
        f"({(first - limit - 1) / limit:.1%} past the limit)"
        if first
        else f"holds: no 429 in {limit + over} requests (limit {limit})"
    )


def _timed(client: object, token: str, n: int) -> list[float]:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    out = []
    for _ in range(n):
        started = time.perf_counter()
        client.get("/api/v1/tickets", **auth)  # type: ignore[attr-defined]
        out.append((time.perf_counter() - started) * 1000)
    return out


def _costs(token: str, requests: int) -> None:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    settings.RATE_LIMITS = {"api.token": 10**9, "api.address": 10**9}
    without = [m for m in settings.MIDDLEWARE if m != LIMITER]
    on: list[float] = []
    off: list[float] = []
    client = Client()
    _timed(client, token, 50)  # warm
    for _ in range(max(1, requests // 100)):
        on += _timed(client, token, 100)
        with override_settings(MIDDLEWARE=without):
            off += _timed(Client(), token, 100)

    def p(values: list[float], q: float) -> float:
        return sorted(values)[int(q * (len(values) - 1))]

    print(
        f"cost: GET /api/v1/tickets, {len(on)} requests each — with the limiter median "
        f"{statistics.median(on):.2f} ms (p95 {p(on, 0.95):.2f}), without "
        f"{statistics.median(off):.2f} ms (p95 {p(off, 0.95):.2f}): "
        f"{statistics.median(on) - statistics.median(off):+.2f} ms a request"
    )
    from helpline.core import limits

    callers = [(limits.API_ADDRESS, "127.0.0.1"), (limits.API_TOKEN, "token:" + token)]
    alone = []
    for _ in range(requests):
        started = time.perf_counter()
        limits.hit_many(callers)
        alone.append((time.perf_counter() - started) * 1e6)
    print(f"the limiter's upsert alone (two rows): median {statistics.median(alone):.0f} µs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--over", type=int, default=600)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    os.environ["HELPLINE_DATA_DIR"] = os.environ.get("HELPLINE_DATA_DIR") or tempfile.mkdtemp()
    os.environ.setdefault("HELPLINE_ALLOWED_HOSTS", "testserver,localhost")
    subprocess.run([*HELPLINE, "migrate"], check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    print(f"engine: {connection.vendor}")
    token = _setup()
    _holds(Client(), token, args.limit, args.over)
    _costs(token, args.requests)


if __name__ == "__main__":
    main()
