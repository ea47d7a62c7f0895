"""Server time of the care pages with many tickets: the account manager's home, a store's page
(progress sheet, contact log), the sheet's XLSX, the merchant's account-manager page and sheet.

Run: .venv/bin/python bench/account_management.py [--tickets 20000] [--requests 20]
     (DATABASE_URL=postgresql://…/helpline_am_bench to use PostgreSQL: a database it may fill)

A fresh HELPLINE_DATA_DIR, `helpline migrate`, `helpline demo --tickets N --seed 1` (its account
manager, Rohan, manages two of the three stores), then Django's test client in process: each page
--requests times after two warm-ups; p50 and p95 in ms and the SQL queries of one request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELPLINE = [sys.executable, "-c", "import sys; from helpline.cli import main; sys.exit(main())"]
MANAGER = "rohan@helpline.example"
MERCHANT = "priya@kalpanahandlooms.example"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    os.environ["HELPLINE_DATA_DIR"] = os.environ.get("HELPLINE_DATA_DIR") or tempfile.mkdtemp()
    os.environ.setdefault("HELPLINE_ALLOWED_HOSTS", "testserver,localhost")
    started = time.perf_counter()
    subprocess.run([*HELPLINE, "migrate"], check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    subprocess.run(  # noqa: S603 - our own CLI, arguments we build
        [*HELPLINE, "demo", "--tickets", str(args.tickets), "--seed", "1", "--no-migrate"],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    print(f"data: {args.tickets:,} tickets in {time.perf_counter() - started:.0f} s")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from helpline.accounts.models import User
    from helpline.engineering.models import DevTicket
    from helpline.merchants.models import Store
    from helpline.tickets.models import Ticket

    manager, merchant = User.objects.get(email=MANAGER), User.objects.get(email=MERCHANT)
    store = Store.objects.filter(account_manager=manager, merchant_id=merchant.merchant_id).first()
    dev = DevTicket.objects.order_by("pk").first()
    linked = dev.tickets.first() if dev else Ticket.objects.order_by("-pk").first()
    assert store is not None and linked is not None
    print(f"store {store.name}: {Ticket.objects.filter(store=store).count():,} tickets")
    pages = [
        (manager, "/console/am/"),
        (manager, f"/console/stores/{store.pk}/"),
        (manager, f"/console/stores/{store.pk}/sheet.xlsx"),
        (manager, f"/console/t/{linked.pk}/"),
        (manager, "/api/v1/account-manager/home"),
        (merchant, "/support/account/"),
        (merchant, f"/support/stores/{store.pk}/sheet/"),
    ]
    print(f"{'page':36} {'who':8} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7}")
    for user, path in pages:
        client = Client()
        client.force_login(user)
        for _ in range(2):
            assert client.get(path).status_code == 200, path
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        who = "merchant" if user == merchant else "manager"
        print(
            f"{path[:36]:36} {who:8} {statistics.median(times):7.1f} {p95:7.1f} {len(queries):7d}"
        )


if __name__ == "__main__":
    main()
