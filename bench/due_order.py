"""The ticket list in the "due" order (nearest pending deadline first) against newest first.

Run, on a database that holds the demo (``helpline demo --tickets 100000``):
    [DATABASE_URL=postgresql://…] HELPLINE_DATA_DIR=… .venv/bin/python bench/due_order.py \\
        [--open 3000] [--runs 50]

The demo's tickets are closed but for ~60; a support team's backlog is larger, so ``--open``
tickets are first opened through the ticket service (spread over the demo stores and issue
types, so priorities and deadlines vary), then the statistics refreshed. Then, in process (no
HTTP: the query and the rows, what the order changes), ``tickets.selectors.ticket_list`` for an
agent and for a merchant user, every ticket and the open ones, newest first and due first:
the first page of 50 and the page after it, p50 and p95 over ``--runs`` calls.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=3000, help="tickets to open first")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpline.settings"
    import django

    django.setup()
    from django.db import connection

    from helpline.accounts.models import User
    from helpline.merchants.models import Store
    from helpline.tickets import selectors, services
    from helpline.tickets.models import OPEN_STATUSES, Ticket

    rng = random.Random(1)
    stores = list(Store.objects.all())
    users = {
        s.pk: User.objects.filter(merchant_id=s.merchant_id, role="merchant").first()
        for s in stores
    }
    types = ["store-down", "functionality", "feature-broken", "minor", "app-submission"]
    started = time.perf_counter()
    for n in range(args.open):
        store = rng.choice(stores)
        services.ticket_create(
            actor=users[store.pk],
            store=store,
            subject=f"Backlog {n}",
            description="Opened by bench/due_order.py",
            issue_type=rng.choice(types),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    opened = Ticket.objects.filter(status__in=OPEN_STATUSES).count()
    print(
        f"{connection.vendor}: {Ticket.objects.count():,} tickets, {opened:,} open "
        f"({args.open:,} opened in {time.perf_counter() - started:.1f} s)"
    )
    agent = User.objects.filter(role="agent", is_active=True).order_by("pk").first()
    merchant = User.objects.filter(role="merchant", is_active=True).order_by("pk").first()
    print(f"{'who':<9}{'tickets':<8}{'order':<8}{'page':<7}{'p50 ms':>8}{'p95 ms':>8}")
    for who in (agent, merchant):
        assert who is not None
        for label, status in (("all", []), ("open", list(OPEN_STATUSES))):
            for order in ("newest", "due"):
                filters = selectors.TicketFilters(status=status, order=order)
                _, after = selectors.ticket_list(user=who, filters=filters, limit=50)
                for page, cursor in (("first", None), ("second", after)):
                    seconds = []
                    for _ in range(args.runs + 3):
                        t = time.perf_counter()
                        selectors.ticket_list(user=who, filters=filters, cursor=cursor, limit=50)
                        seconds.append(time.perf_counter() - t)
                    ms = sorted(s * 1000 for s in seconds[3:])  # 3 warm-up calls
                    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
                    print(
                        f"{who.role:<9}{label:<8}{order:<8}{page:<7}"
                        f"{statistics.median(ms):>8.1f}{p95:>8.1f}"
                    )


if __name__ == "__main__":
    main()
