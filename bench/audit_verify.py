"""The audit trail's check (issue 21): `helpline audit verify` over 1,000,000 entries in under
a minute?

Run: nice -n -10 .venv/bin/python bench/audit_verify.py [--entries 1000000]
     (DATABASE_URL=postgresql://…/<name> to use PostgreSQL: a database it may fill)

A fresh HELPLINE_DATA_DIR and `helpline migrate`; then --entries entries of a realistic shape
(a configuration change with before and after, a sign-in with an address and a browser) are
chained exactly as ``audit.chain.record`` chains them and bulk-inserted in pages of 5,000, the
head set to the last one. Printed side by side:

1. the insert (entries/s — the bench's own fast path, not ``record``'s one-at-a-time append);
2. the baseline: the same pages read and nothing checked (``values_list`` of every field, in
   the keyset pages verify uses) — the floor a check cannot go under;
3. ``audit.chain.verify()`` — the read plus a SHA-256 and a canonical JSON per entry;
4. one appended entry through ``record`` (the lock on the head), median of 200.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELPLINE = [sys.executable, "-c", "import sys; from helpline.cli import main; sys.exit(main())"]
PAGE = 5000


def _row(seq: int, t0: datetime, agent: str) -> tuple[object, ...]:
    from helpline.audit import chain

    if seq % 3:  # two in three: a configuration change with before and after
        return (
            seq, t0 + timedelta(seconds=seq), 7, "ada@helpline.test", "change", "sla.Holiday",
            str(seq % 500), None, "203.0.113.9", agent,
            chain.dumps({"name": f"Holiday {seq}"}),
            chain.dumps({"name": f"Holiday {seq} (moved)", "date": "2027-03-03"}),
        )  # fmt: skip
    return (
        seq, t0 + timedelta(seconds=seq), seq % 90, f"user{seq % 90}@acme.test", "login",
        "accounts.User", str(seq % 90), seq % 90, "198.51.100.7", agent, "{}", "{}",
    )  # fmt: skip


def _fill(n: int) -> float:
    """Chain ``n`` entries as ``record`` does and insert them a page at a time with one
    ``executemany`` each (the ORM's ``bulk_create`` builds a model per row: 4× slower)."""
    from django.db import connection, transaction

    from helpline.audit import chain
    from helpline.audit.models import AuditEntry, AuditHead

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    quote = connection.ops.quote_name
    table, columns = quote(AuditEntry._meta.db_table), ", ".join(map(quote, chain.FIELDS))
    marks = ", ".join(["%s"] * len(chain.FIELDS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - the model's names
    adapt = connection.ops.adapt_datetimefield_value
    prev = chain.GENESIS
    started = time.perf_counter()
    for first in range(1, n + 1, PAGE):
        page = []
        for seq in range(first, min(first + PAGE, n + 1)):
            row = _row(seq, t0, agent)
            digest = chain.link(prev, row)
            page.append((row[0], adapt(row[1]), *row[2:], prev, digest))
            prev = digest
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, page)
            AuditHead.objects.update_or_create(pk=1, defaults={"seq": page[-1][0], "hash": prev})
    return time.perf_counter() - started


def _read_only() -> tuple[int, float]:
    from helpline.audit import chain

    started = time.perf_counter()
    count = sum(1 for _ in chain._rows(20000))
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ["HELPLINE_DATA_DIR"] = os.environ.get("HELPLINE_DATA_DIR") or tempfile.mkdtemp()
    subprocess.run([*HELPLINE, "migrate"], check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()
    from django.db import connection

    from helpline.audit import chain
    from helpline.audit.models import AuditEntry

    if AuditEntry.objects.exists():
        sys.exit("bench/audit_verify.py: the database already holds audit entries; use a new one")
    print(f"engine: {connection.vendor}, entries: {args.entries:,}")
    took = _fill(args.entries)
    print(f"insert (bench's bulk path): {took:.1f} s, {args.entries / took:,.0f} entries/s")
    cpu = time.process_time()
    count, read = _read_only()
    cpu = time.process_time() - cpu
    print(
        f"baseline, read every entry and check nothing: {read:.1f} s wall, {cpu:.1f} s CPU "
        f"({count:,} rows)"
    )
    started, cpu = time.perf_counter(), time.process_time()
    verdict = chain.verify()
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"verify: {took:.1f} s wall, {cpu:.1f} s CPU of this process, "
        f"{verdict.checked / took:,.0f} entries/s — {verdict}"
    )
    assert verdict.ok and verdict.checked == args.entries
    appends = []
    for i in range(200):
        started = time.perf_counter()
        chain.record(action="change", object_type="bench", object_id=i)
        appends.append((time.perf_counter() - started) * 1000)
    print(
        f"one append through record() (locks the head): median {statistics.median(appends):.2f} ms"
    )


if __name__ == "__main__":
    main()
