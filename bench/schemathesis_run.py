"""The outside test again: schemathesis against the real server, as an admin and as a merchant.

Run: .venv/bin/python bench/schemathesis_run.py [--examples 20] [--roles admin,merchant]

A fresh data directory (SQLite, or DATABASE_URL's PostgreSQL), ``helpline demo`` for data and
tokens, ``helpline serve`` (gunicorn) on a free loopback port, then ``schemathesis run`` with
the server's /api/v1/openapi.json (fetched once) for each role with a bounded number of
examples per operation (all phases: examples, coverage, fuzzing, stateful). Every request and
response is read back from schemathesis' HAR report; the script prints, per role, the requests
sent and how many answered 5xx (each distinct 5xx operation named), and exits non-zero when any
did.

The rate limits are raised for the run (``HELPLINE_RATE_LIMITS``): they are tested elsewhere, and
429s would stop the fuzzer short. ``DELETE /api/v1/tokens/{token_id}`` is left out: revoking the
caller's own token would turn the rest of the run into 401s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
ROLES = {"admin": "admin", "merchant": "merchant"}  # role → the demo login's role column


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_tokens(env: dict[str, str]) -> dict[str, str]:
    """Load the demo data; the first token of each role, read from what `helpline demo` prints."""
    out = subprocess.run(  # noqa: S603
        [str(BIN / "helpline"), "demo", "--tickets", "60"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    roles: dict[str, str] = {}  # e-mail → role
    tokens: dict[str, str] = {}
    section = "logins"
    for line in out.splitlines():
        if line.startswith("API tokens"):
            section = "tokens"
            continue
        parts = line.split()
        if section == "logins" and len(parts) >= 4 and "@" in " ".join(parts):
            email = next(p for p in parts if "@" in p)
            roles.setdefault(email, parts[0])
        elif section == "tokens" and len(parts) == 2 and "@" in parts[0]:
            tokens[parts[0]] = parts[1]
    found: dict[str, str] = {}
    for email, role in roles.items():
        for name, wanted in ROLES.items():
            if role.replace("_", " ").lower().startswith(wanted) and email in tokens:
                found.setdefault(name, tokens[email])
    return found


def fetch_schema(url: str, to: Path, seconds: float = 240) -> None:
    """Wait for the server, and keep its OpenAPI document (on a loaded machine it can take
    longer to build than schemathesis waits for it)."""
    import urllib.request

    end = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=60) as r:  # noqa: S310
                if r.status == 200:
                    to.write_bytes(r.read())
                    return
        except OSError:
            if time.monotonic() > end:
                raise
        time.sleep(0.5)


def run_role(base: str, token: str, examples: int, workdir: Path, role: str) -> Counter[str]:
    har = workdir / f"{role}.har"
    cmd = [
        str(BIN / "schemathesis"),
        "run",
        str(workdir / "openapi.json"),
        "--url",
        base,
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(examples),
        "--checks",
        "not_a_server_error",
        "--exclude-name",
        "DELETE /api/v1/tokens/{token_id}",
        "--seed",
        "1",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--report",
        "har",
        "--report-har-path",
        str(har),
        "--warnings",
        "off",
    ]
    log = workdir / f"{role}.log"
    with log.open("w") as out:
        # In the work directory: schemathesis keeps a cache (.schemathesis/) where it runs.
        subprocess.run(cmd, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, check=False)  # noqa: S603
    statuses: Counter[str] = Counter()
    entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    for entry in entries:
        status = int(entry["response"]["status"])
        statuses["requests"] += 1
        if status >= 500:
            path = urlsplit(entry["request"]["url"]).path
            path = re.sub(r"/\d+(?=/|$)", "/{id}", path)
            statuses[f"5xx {entry['request']['method']} {path}"] += 1
            statuses["5xx"] += 1
        elif status == 429:
            statuses["429"] += 1
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20, help="examples per operation")
    parser.add_argument("--roles", default="admin,merchant")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="helpline-schemathesis-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "HELPLINE_DATA_DIR": str(workdir / "data"),
        "HELPLINE_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HELPLINE_RATE_LIMITS": "api.token=100000000, api.address=100000000",
    }
    tokens = demo_tokens(env)
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "helpline"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=(workdir / "server.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    failed = False
    try:
        fetch_schema(f"{base}/api/v1/openapi.json", workdir / "openapi.json")
        print(
            f"engine: {'postgresql' if 'DATABASE_URL' in os.environ else 'sqlite'}; "
            f"{args.examples} examples an operation; logs and HAR in {workdir}"
        )
        for role in args.roles.split(","):
            started = time.monotonic()
            counts = run_role(base, tokens[role], args.examples, workdir, role)
            took = time.monotonic() - started
            print(
                f"{role:<9} {counts['requests']:>6} requests in {took:.0f} s: "
                f"{counts['5xx']} answered 5xx, {counts['429']} answered 429"
            )
            for key, n in sorted(counts.items()):
                if key.startswith("5xx "):
                    print(f"    {n:>4} × {key[4:]}")
            failed = failed or counts["5xx"] > 0 or counts["requests"] == 0
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
