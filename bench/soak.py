"""A soak: 50 signed-in clients (merchants, agents, API) against the real server for minutes.

Run: .venv/bin/python bench/soak.py [--minutes 5] [--clients 50] [--tickets 200]
                                    [--configs new] (old,new: side by side, see slow_clients.py)

The demo data (``helpline demo``) in a fresh SQLite database in a temporary directory, then
``helpline serve --workers 2`` on a free loopback port. Each client has its own keep-alive
connection from its own loopback address (127.0.0.N: the per-address rate limits see 50
people, as they would behind a proxy that sets REMOTE_ADDR), starts half a second after the one
before it, signs in once, and loops with 0.1–0.4 s of thought between requests for the rest of
the run (the ramp, then ``--minutes``):

- merchants (40 %): the web pages — their ticket list, one of their tickets, the status page,
  and every 8th turn a reply through the page's form (CSRF token and all);
- agents (30 %): the console's queue, a ticket in the console, a search;
- API clients (30 %, merchants' and agents' tokens): the ticket list, one ticket, ``/me``, and
  every 5th turn a new ticket (merchant tokens).

An error is a refused connection, a timeout (30 s) or any status but the one the request
expects (200, 201 for a creation, 302 after a reply). Printed: per endpoint the requests, the
errors, p50/p95/max in ms; then the totals.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from slow_clients import HELPLINE, env_for, start, stop_server

RAMP_SECONDS = 0.5  # between two clients' starts
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, took: float, error: str | None) -> None:
        with self.lock:
            self.times.setdefault(name, []).append(took)
            if error:
                self.errors.setdefault(name, []).append(error)


class Client:
    def __init__(self, port: int, n: int, stats: Stats) -> None:
        self.port, self.stats = port, stats
        self.source = f"127.0.0.{10 + n}"
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0)
        )

    def call(
        self,
        name: str,
        method: str,
        path: str,
        body: bytes | None = None,
        kind: str = "",
        expect: int = 200,
    ) -> bytes:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if kind:
            headers["Content-Type"] = kind
        started = time.perf_counter()
        error = None
        data = b""
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
            if response.status != expect:
                error = f"{response.status} {data[:120]!r}"
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = self._connect()
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
            self.conn.close()
            self.conn = self._connect()
        self.stats.add(name, time.perf_counter() - started, error)
        return data

    def sign_in(self, email: str, password: str) -> None:
        page = self.call("sign-in page", "GET", "/accounts/login/").decode()
        token = CSRF.search(page)
        form = {"username": email, "password": password, "next": ""}
        form["csrfmiddlewaretoken"] = token.group(1) if token else ""
        self.call(
            "sign in",
            "POST",
            "/accounts/login/",
            urlencode(form).encode(),
            "application/x-www-form-urlencoded",
            expect=302,
        )


def turns(
    c: Client,
    tickets: list[int],
    stop: threading.Event,
    reads: tuple[str, ...],
    write: Callable[[Client, int, int], None] | None = None,
    every: int = 0,
) -> None:
    """Until ``stop``: one of ``reads`` (a path, ``{id}`` a ticket of this client's), and
    every ``every``-th turn ``write`` instead; 0.1–0.4 s of thought between."""
    turn = 0
    while not stop.is_set():
        turn += 1
        ticket = random.choice(tickets)
        if write is not None and turn % every == 0:
            write(c, ticket, turn)
        else:
            path = random.choice(reads)
            c.call(f"GET {path}", "GET", path.format(id=ticket))
        stop.wait(random.uniform(0.1, 0.4))


def reply(c: Client, ticket: int, turn: int) -> None:
    page = c.call("GET /support/t/{id}/", "GET", f"/support/t/{ticket}/").decode()
    token = CSRF.search(page)
    form = {"body": f"Still seeing this (soak turn {turn}).", "csrfmiddlewaretoken": ""}
    if token:
        form["csrfmiddlewaretoken"] = token.group(1)
    c.call(
        "POST /support/t/{id}/reply/",
        "POST",
        f"/support/t/{ticket}/reply/",
        urlencode(form).encode(),
        "application/x-www-form-urlencoded",
        expect=302,
    )


def create(store: int) -> Callable[[Client, int, int], None]:
    def write(c: Client, _ticket: int, turn: int) -> None:
        body = {
            "store": store,
            "subject": f"Soak: checkout slow on page {turn}",
            "description": "Customers wait long at checkout (soak).",
            "issue_type": "functionality",
        }
        c.call(
            "POST /api/v1/tickets",
            "POST",
            "/api/v1/tickets",
            json.dumps(body).encode(),
            "application/json",
            expect=201,
        )

    return write


MERCHANT_READS = ("/support/", "/support/t/{id}/", "/status/")
AGENT_READS = ("/console/", "/console/t/{id}/", "/search/?q=checkout")
API_READS = ("/api/v1/tickets?limit=20", "/api/v1/tickets/{id}", "/api/v1/me")


def signed_in(
    c: Client, email: str, password: str, tickets: list[int], **how: Any
) -> Callable[[threading.Event], None]:
    def run(stop: threading.Event) -> None:
        c.sign_in(email, password)  # in the client's own thread: no idle gap after it
        turns(c, tickets, stop, **how)

    return run


def load_demo(data: Path, tickets: int) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    out = subprocess.run(  # noqa: S603 - our own command
        [*HELPLINE, "demo", "--tickets", str(tickets)],
        env=env_for(data),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    logins, tokens = [], {}
    section = "logins"
    for line in out.splitlines():
        if line.startswith("API tokens"):
            section = "tokens"
        parts = line.split()
        if section == "logins" and len(parts) >= 4 and "@" in parts[-2]:
            logins.append((parts[0], parts[-2], parts[-1]))
        elif section == "tokens" and len(parts) == 2 and "@" in parts[0]:
            tokens[parts[0]] = parts[1]
    return logins, tokens


def api_get(port: int, token: str, path: str) -> object:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    return json.loads(conn.getresponse().read())


def ticket_ids(port: int, token: str) -> list[int]:
    page = api_get(port, token, "/api/v1/tickets?limit=100")
    items = page["items"] if isinstance(page, dict) else page
    return [t["id"] for t in items]  # type: ignore[index]


def run(config: str, data: Path, args: argparse.Namespace, logins: list, tokens: dict) -> Stats:
    proc, port = start(config, data, data / f"soak-{config}.log")
    stats = Stats()
    stop = threading.Event()
    try:
        merchants = [(e, p) for role, e, p in logins if role == "merchant"]
        agents = [(e, p) for role, e, p in logins if role == "agent"]
        mine = {e: ticket_ids(port, tokens[e]) for e, _ in merchants}
        everyone = ticket_ids(port, tokens[agents[0][0]])
        stores = {}
        for e, _ in merchants:
            listed = api_get(port, tokens[e], "/api/v1/stores")
            items = listed["items"] if isinstance(listed, dict) else listed
            stores[e] = items[0]["id"] if items else None  # type: ignore[index]
        threads = []
        kinds = ("merchant",) * 4 + ("agent",) * 3 + ("api",) * 3
        people = [e for e, _ in merchants + agents]
        for n in range(args.clients):
            c = Client(port, n, stats)
            role = kinds[n % len(kinds)]
            if role == "merchant":
                email, password = merchants[n % len(merchants)]
                how = {"reads": MERCHANT_READS, "write": reply, "every": 8}
                loop = signed_in(c, email, password, mine[email] or everyone, **how)
            elif role == "agent":
                email, password = agents[n % len(agents)]
                loop = signed_in(c, email, password, everyone, reads=AGENT_READS)
            else:
                who = people[n % len(people)]
                c.headers["Authorization"] = f"Bearer {tokens[who]}"
                store = stores.get(who)
                loop = partial(
                    turns,
                    c,
                    mine.get(who) or everyone,
                    reads=API_READS,
                    write=create(store) if store else None,
                    every=5,
                )
            threads.append(threading.Thread(target=loop, args=(stop,), daemon=True))
        for t in threads:
            # A ramp: 50 sign-ins at once are 50 password hashes (PBKDF2, ~0.5 s of CPU each).
            t.start()
            stop.wait(RAMP_SECONDS)
        stop.wait(args.minutes * 60)
        stop.set()
        for t in threads:
            t.join(timeout=60)
    finally:
        stop_server(proc)
    return stats


def table(results: dict[str, Stats]) -> None:
    names = sorted({n for s in results.values() for n in s.times})
    width = max(len(n) for n in [*names, "all"])
    head = f"{'endpoint':<{width}}"
    for config in results:
        head += f"  {config + ': requests errors p50 p95 max (ms)':>44}"
    print(head)
    for name in [*names, "all"]:
        row = f"{name:<{width}}"
        for stats in results.values():
            if name == "all":
                times = [t for ts in stats.times.values() for t in ts]
                errors = sum(len(e) for e in stats.errors.values())
            else:
                times = stats.times.get(name, [])
                errors = len(stats.errors.get(name, []))
            if len(times) >= 2:
                q = statistics.quantiles(times, n=20)
                cell = (
                    f"{len(times):>8} {errors:>6} {1000 * statistics.median(times):>6.0f} "
                    f"{1000 * q[18]:>6.0f} {1000 * max(times):>6.0f}"
                )
            else:
                cell = f"{len(times):>8} {errors:>6}"
            row += f"  {cell:>44}"
        print(row)
    for config, stats in results.items():
        for name, errors in stats.errors.items():
            print(f"{config}: {name}: {len(errors)} errors, e.g. {errors[0]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--configs", default="new")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="helpline-soak-") as tmp:
        data = Path(tmp)
        logins, tokens = load_demo(data, args.tickets)
        subprocess.run(  # noqa: S603 - our own command
            [*HELPLINE, "manage", "collectstatic", "--noinput", "-v0"],
            env=env_for(data),
            check=True,
        )
        print(
            f"{args.clients} clients (40 % merchants on the pages, 30 % agents in the console, "
            f"30 % API) for {args.minutes:g} min; demo data of {args.tickets} tickets, SQLite"
        )
        results = {c: run(c, data, args, logins, tokens) for c in args.configs.split(",")}
    table(results)


if __name__ == "__main__":
    main()
