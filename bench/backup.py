"""`helpline backup` beside its peer, a plain `tar` of the same data directory, in one run; and
one `/metrics` scrape (queries, time) at a given outbox size.

Run: .venv/bin/python bench/backup.py [--tickets 2000] [--files 200] [--file-kb 100]
     [--outbox 100000]

A fresh data directory (SQLite) gets the demo's tickets, then ``--files`` attachments' worth of
files in its storage and ``--outbox`` delivered outbox rows (a tenth of them SLA notices). The
backup is timed against `tar cf` of the data directory (what an operator would do by hand, and
which is not a consistent copy of a live SQLite file); the scrape is timed in process with its
queries counted. Wall times on a shared machine are ceilings.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELPLINE = [sys.executable, "-c", "import sys; from helpline.cli import main; sys.exit(main())"]


def _run(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)  # noqa: S603 - ours
    return time.perf_counter() - started


def _fill(data: Path, files: int, kb: int, outbox: int, env: dict[str, str]) -> None:
    media = data / "media" / "attachments" / "bench"
    media.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        (media / f"f{i:05d}").write_bytes(os.urandom(kb * 1024))
    code = f"""
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
django.setup()
from django.utils import timezone
from helpline.outbox.models import Outbox
now = timezone.now()
kinds = ["sla_warning", "sla_breached"] + ["reply"] * 18
Outbox.objects.bulk_create(
    [Outbox(channel="email", kind=kinds[i % 20], recipient="a@example.com", payload={{}},
            idempotency_key=f"bench-{{i}}", state="done", due_at=now, created_at=now,
            done_at=now) for i in range({outbox})],
    batch_size=5000,
)
"""
    subprocess.run([sys.executable, "-c", code], env=env, check=True)  # noqa: S603


SCRAPE = """
import django, os, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from helpline import metrics
metrics.exposition(now=timezone.now())  # warm
best = None
for _ in range(5):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        metrics.exposition(now=timezone.now())
        took = time.perf_counter() - started
    best = took if best is None else min(best, took)
print(f"{len(queries.captured_queries)} {best * 1000:.1f}")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--file-kb", type=int, default=100)
    parser.add_argument("--outbox", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")}
        env.pop("DATABASE_URL", None)
        env["HELPLINE_DATA_DIR"] = str(data)
        subprocess.run(  # noqa: S603
            [*HELPLINE, "demo", "--tickets", str(args.tickets)], env=env, check=True,
            capture_output=True,
        )  # fmt: skip
        _fill(data, args.files, args.file_kb, args.outbox, env)
        db_mb = (data / "helpline.sqlite3").stat().st_size / 1e6
        files_mb = args.files * args.file_kb / 1000
        ours = _run([*HELPLINE, "backup", str(Path(tmp) / "helpline.tar")], env)
        startup = _run([*HELPLINE, "manage", "check"], env)
        peer = _run(["tar", "cf", str(Path(tmp) / "plain.tar"), "-C", str(data), "."], env)
        size = (Path(tmp) / "helpline.tar").stat().st_size / 1e6
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-c", SCRAPE], env=env, check=True, capture_output=True, text=True
        ).stdout.split()
    print(f"data: {db_mb:.1f} MB database, {files_mb:.1f} MB of files, {args.outbox:,} outbox rows")
    print(f"{'':32} {'seconds':>8} {'MB':>8}")
    print(f"{'helpline backup (incl. start-up)':32} {ours:8.2f} {size:8.1f}")
    print(f"{'start-up alone (manage check)':32} {startup:8.2f}")
    print(f"{'tar cf of the data directory':32} {peer:8.2f}")
    print(f"/metrics scrape: {out[0]} queries, {out[1]} ms (best of 5)")


if __name__ == "__main__":
    main()
