"""Search and the SLA report at 1,000,000 tickets and 5,000,000 messages on PostgreSQL.

Run (never in CI; needs ~15 GB free; the build takes tens of minutes on two cores):
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/helpline_insight \\
        .venv/bin/python bench/search_scale.py build [--tickets 1000000 --messages 5]
    DATABASE_URL=… .venv/bin/python bench/search_scale.py attach [--every 10]
    DATABASE_URL=… .venv/bin/python bench/search_scale.py measure [--queries 200]

build: migrate, then generate rows with INSERT … SELECT generate_series (not the ORM): 2,000
merchants with a store each, tickets over two years with subjects and descriptions drawn from a
vocabulary (skewed, so some words are common and some rare), N messages per ticket (one in ten
an internal note — `mod(ticket + k, 10)`; before 26 Nov 2026 it was `mod(k, 10) = 9`, which
with 5 messages a ticket made none), two clocks per ticket with met/breached outcomes and taken
times. The
search triggers are disabled for the load and the index filled with one INSERT … SELECT, then
the GIN indexes are built (the bulk path; every other write goes through the triggers).

attach: a file on one message in N (``mod(id + ticket, N) = 0``, so some are on internal notes;
names like ``refund-48213.pdf`` from the domain words),
inserted with one INSERT … SELECT through the search triggers (the path every real attachment
takes), and the time a row that costs; then VACUUM ANALYZE of the index table.

measure: in this process, ``reports.search.search_tickets`` as an agent (all tickets) and as
merchant users (their own), one- and two-word queries and a quoted phrase, p50/p95/max; then
the compliance report for a year (by priority, by month) and the response-time percentiles.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    "payment",
    "checkout",
    "order",
    "refund",
    "shipping",
    "delivery",
    "invoice",
    "coupon",
    "discount",
    "cart",
    "product",
    "image",
    "banner",
    "theme",
    "menu",
    "login",
    "password",
    "admin",
    "report",
    "inventory",
    "stock",
    "variant",
    "price",
    "tax",
    "gst",
    "courier",
    "tracking",
    "label",
    "customer",
    "email",
    "notification",
    "sms",
    "whatsapp",
    "app",
    "android",
    "ios",
    "submission",
    "review",
    "domain",
    "ssl",
    "certificate",
    "dns",
    "hosting",
    "slow",
    "timeout",
    "error",
    "failed",
    "broken",
    "missing",
    "wrong",
    "duplicate",
    "blank",
    "page",
    "mobile",
    "desktop",
    "layout",
    "font",
    "color",
    "button",
    "link",
    "search",
    "filter",
    "category",
    "collection",
    "sitemap",
    "seo",
    "analytics",
    "dashboard",
    "export",
    "import",
    "csv",
    "upload",
    "gateway",
    "razorpay",
    "paytm",
    "upi",
    "card",
    "wallet",
    "cod",
    "pincode",
    "address",
    "otp",
    "signup",
    "account",
    "merchant",
    "store",
    "storefront",
    "plugin",
    "integration",
    "webhook",
    "api",
    "token",
    "sync",
    "catalog",
    "warehouse",
    "return",
    "exchange",
    "cancel",
    "cancellation",
    "subscription",
    "renewal",
    "billing",
    "charge",
    "gift",
    "voucher",
    "review",
    "rating",
    "wishlist",
    "compare",
    "zoom",
    "slider",
    "popup",
    "cookie",
    "consent",
    "translation",
    "hindi",
    "language",
    "currency",
    "rupee",
    "settlement",
    "payout",
    "reconciliation",
    "ledger",
    "bank",
    "transfer",
]


def _setup() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database this bench may fill")
    os.environ["HELPLINE_DATA_DIR"] = os.environ.get("HELPLINE_DATA_DIR") or tempfile.mkdtemp()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()


def _words_sql(n: int, seed: str, vocabulary: int, row: str) -> str:
    """n words. vocabulary 0: the domain words only, skewed (random()² picks low indexes) —
    every word is then in ≥ 5 % of the documents, the worst case. vocabulary V: log-uniform
    ranks over V words (Zipf-like, s ≈ 1): the domain words are the most frequent, then
    w131 … wV ever rarer, as in real text. ``row`` correlates the subquery with the row."""
    array = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    if not vocabulary:
        picks = " || ' ' || ".join(
            f"({array})[1 + floor({len(WORDS)} * power(random(), 2))::int]" for _ in range(n)
        )
        return f"({picks}) /* {seed} */"
    return (
        f"(SELECT string_agg(CASE WHEN i <= {len(WORDS)} THEN ({array})[i] ELSE 'w' || i END,"  # noqa: S608
        f" ' ') FROM (SELECT floor(exp(random() * ln({vocabulary})))::int AS i"
        f" FROM generate_series(1, {n} + 0 * {row})) z) /* {seed} */"
    )


def _zipf_word(rng: random.Random, vocabulary: int) -> str:
    if not vocabulary:
        return rng.choice(WORDS)
    i = int(math.exp(rng.random() * math.log(vocabulary)))
    return WORDS[i - 1] if i <= len(WORDS) else f"w{i}"


# Two clocks per ticket with met/breached outcomes and taken times (bench/promise_report.py too).
CLOCKS_SQL = """
    INSERT INTO tickets_ticketclock (ticket_id, kind, priority, calendar, length,
        started_at, consumed, wall_consumed, met_at, taken_business, taken_wall,
        breached_at, deadline)
    SELECT t.id, k.kind, t.priority,
        CASE WHEN t.priority = 'C1' THEN '24x7' ELSE 'business-in' END,
        k.len, t.created_at, interval '0', interval '0',
        CASE WHEN r < 0.9 THEN t.created_at + k.len * r * 1.2 END,
        CASE WHEN r < 0.9 THEN k.len * r * 1.1 END,
        CASE WHEN r < 0.9 THEN k.len * r * 2.5 END,
        CASE WHEN r >= 0.75 THEN t.created_at + k.len END,
        t.created_at + k.len
    FROM (SELECT t.*, random() AS r FROM tickets_ticket t) t,
        (VALUES ('first_response', interval '4 hours'),
                ('resolution', interval '40 hours')) k(kind, len)
"""


def build(tickets: int, per_ticket: int, vocabulary: int) -> None:
    _setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from helpline.accounts import services as accounts

    merchant_gin = importlib.import_module("helpline.reports.migrations.0004_search_merchant_gin")
    from helpline.sla import selectors as sla_selectors

    policy = sla_selectors.current_policy()
    t0 = time.perf_counter()
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM tickets_ticket")
        if c.fetchone()[0]:
            raise SystemExit("the database already has tickets; drop it first")
        c.execute(
            """
            INSERT INTO merchants_merchant (name, slug, time_zone, created_at)
            SELECT 'Merchant ' || g, 'm' || g, 'Asia/Kolkata', now()
            FROM generate_series(1, 2000) g
            """
        )
        c.execute(
            """
            INSERT INTO merchants_store (merchant_id, name, url, created_at)
            SELECT id, 'Store of ' || name, 'https://' || slug || '.example', now()
            FROM merchants_merchant
            """
        )
        for table in ("tickets_ticket", "tickets_ticketmessage"):
            c.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for index in ("reports_search_tsv", "reports_search_merchant_tsv"):
            c.execute(f"DROP INDEX IF EXISTS {index}")
        print(f"merchants and stores {time.perf_counter() - t0:.0f} s", flush=True)
        span = 730 * 86400
        c.execute(
            f"""
            INSERT INTO tickets_ticket (merchant_id, store_id, subject, description, issue_type,
                priority, status, channel, policy_version_id, due_reason, created_at,
                updated_at, resolved_at, closed_at, rating, rating_comment, unverified_sender)
            SELECT s.merchant_id, s.id, {_words_sql(5, "s", vocabulary, "g")},
                {_words_sql(25, "d", vocabulary, "g")},
                'functionality', 'C' || (1 + mod(g, 4)),
                CASE WHEN mod(g, 10) < 8 THEN 'closed' ELSE 'in_progress' END, 'portal', %s, '',
                ts, ts, CASE WHEN mod(g, 10) < 8 THEN ts + interval '20 hours' END,
                CASE WHEN mod(g, 10) < 8 THEN ts + interval '3 days' END,
                CASE WHEN mod(g, 10) < 3 THEN 1 + mod(g, 5) END, '', false
            FROM (
                SELECT g, timestamptz '2025-01-01 00:00+00' + (g::float8 / %s * %s)
                    * interval '1 second' AS ts,
                    1 + mod(g::bigint * 7919, 2000) AS store_id
                FROM generate_series(1, %s) g
            ) x JOIN merchants_store s ON s.id = x.store_id
            """,  # noqa: S608
            [policy.version_id, tickets, span, tickets],
        )
        print(f"tickets {time.perf_counter() - t0:.0f} s", flush=True)
        c.execute(
            f"""
            INSERT INTO tickets_ticketmessage (ticket_id, kind, body, internal, question,
                from_staff, channel, created_at)
            SELECT t.id, CASE WHEN mod(t.id + k, 10) = 0 THEN 'note' ELSE 'reply' END,
                {_words_sql(18, "m", vocabulary, "k")},
                mod(t.id + k, 10) = 0, false, mod(k, 2) = 1, 'portal',
                t.created_at + k * interval '1 hour'
            FROM tickets_ticket t, generate_series(1, %s) k
            """,  # noqa: S608
            [per_ticket],
        )
        print(f"messages {time.perf_counter() - t0:.0f} s", flush=True)
        # Two clocks per ticket: first response (C1 24×7, others business) and resolution.
        c.execute(CLOCKS_SQL)
        print(f"clocks {time.perf_counter() - t0:.0f} s", flush=True)
        c.execute(
            """
            INSERT INTO reports_search (id, ticket_id, merchant_id, internal, subject, body)
            SELECT id * 4, id, merchant_id, false, subject, description FROM tickets_ticket
            """
        )
        c.execute(
            """
            INSERT INTO reports_search (id, ticket_id, merchant_id, internal, subject, body)
            SELECT m.id * 4 + 1, m.ticket_id, t.merchant_id, m.internal, '', m.body
            FROM tickets_ticketmessage m JOIN tickets_ticket t ON t.id = m.ticket_id
            """
        )
        print(f"search documents {time.perf_counter() - t0:.0f} s", flush=True)
        c.execute("SET maintenance_work_mem = '512MB'")
        c.execute("CREATE INDEX reports_search_tsv ON reports_search USING gin (tsv)")
        c.execute(merchant_gin.INDEX)
        for table in ("tickets_ticket", "tickets_ticketmessage"):
            c.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        print(f"GIN index {time.perf_counter() - t0:.0f} s", flush=True)
    connection.connection.autocommit = True
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")
    accounts.user_create(email="agent@bench.example", role="agent")
    from helpline.merchants.models import Merchant

    for m in Merchant.objects.order_by("pk")[:20]:
        accounts.user_create(email=f"u{m.pk}@bench.example", role="merchant", merchant_id=m.pk)
    print(f"built in {time.perf_counter() - t0:.0f} s", flush=True)


def attach(every: int) -> None:
    _setup()
    from django.db import connection

    array = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    t0 = time.perf_counter()
    with connection.cursor() as c:
        c.execute(
            f"""
            INSERT INTO tickets_attachment (ticket_id, message_id, filename, content_type, size,
                sha256, file, inline, content_id, created_at)
            SELECT m.ticket_id, m.id,
                ({array})[1 + mod(m.id * 7919, {len(WORDS)})] || '-' || mod(m.id, 100000)
                    || (ARRAY['.pdf', '.png', '.jpg', '.csv'])[1 + mod(m.id, 4)],
                'application/octet-stream', 1000, repeat('0', 64), 'bench/' || m.id, false, '',
                m.created_at
            FROM tickets_ticketmessage m WHERE mod(m.id + m.ticket_id, %s) = 0 ORDER BY m.id
            """,  # noqa: S608
            [every],
        )
        rows = c.rowcount
    took = time.perf_counter() - t0
    print(f"{rows:,} attachments in {took:.0f} s ({took / max(rows, 1) * 1e6:.0f} µs a row)")
    connection.connection.autocommit = True
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE reports_search")
        c.execute("VACUUM ANALYZE tickets_attachment")
    print(f"vacuumed {time.perf_counter() - t0:.0f} s", flush=True)


def _file_names(rng: random.Random, label: str, users: list[Any]) -> None:
    """Search the whole names of 60 attachments the users may see (after ``attach``), each
    by a user of its merchant; say how often the file's ticket was among the hits."""
    from django.db import connection

    from helpline.reports import search

    by_merchant = {u.merchant_id: u for u in users}
    with connection.cursor() as c:
        c.execute(
            """
            SELECT t.merchant_id, a.filename, a.ticket_id FROM tickets_attachment a
            JOIN tickets_ticket t ON t.id = a.ticket_id
            LEFT JOIN tickets_ticketmessage m ON m.id = a.message_id
            WHERE (%s OR t.merchant_id = ANY(%s)) AND NOT coalesce(m.internal, false)
              AND mod(a.id, 97) = %s
            LIMIT 2000
            """,
            [None in by_merchant, [m for m in by_merchant if m], rng.randrange(97)],
        )
        rows = c.fetchall()
    if not rows:
        return
    times, found = [], 0
    for merchant, name, ticket in rng.sample(rows, min(60, len(rows))):
        user = by_merchant.get(merchant) or by_merchant[None]
        t = time.perf_counter()
        hits = search.search_tickets(user=user, query=name).hits
        times.append(time.perf_counter() - t)
        found += any(h.ticket.pk == ticket for h in hits)
    print(f"    file names: {_pcts(times)}, the file's ticket found {found}/{len(times)}")


def _pcts(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return (
        f"p50 {statistics.median(samples) * 1000:.1f} ms  p95 {p95 * 1000:.1f} ms  "
        f"max {samples[-1] * 1000:.1f} ms  (n={len(samples)})"
    )


def measure(
    queries: int,
    vocabulary: int,
    seed: int = 1,
    tiers: bool = True,
    who: str = "all",
    show_slowest: int = 0,
    merchant_index: bool = True,
    first_merchant: int = 1,
) -> None:
    _setup()
    from django.db import connection

    from helpline.accounts.models import User
    from helpline.reports import search
    from helpline.reports import selectors as reports

    rng = random.Random(seed)
    if not tiers:  # the search as before decision 0075 (for comparison)
        search.WINDOW_MIN_ID = 2**63
    if not merchant_index:  # merchants as before decision 0077 (needs reports_search_merchant)
        search.MERCHANT_INDEX = False
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM tickets_ticket")
        n_tickets = c.fetchone()[0]
        c.execute("SELECT count(*) FROM tickets_ticketmessage")
        n_messages = c.fetchone()[0]
    print(f"{n_tickets:,} tickets, {n_messages:,} messages")
    agent = User.objects.get(email="agent@bench.example")
    merchants = list(User.objects.filter(role="merchant", merchant_id__lte=20))
    if first_merchant > 1:  # merchants never searched yet: their pages are not in the cache
        from helpline.accounts import services as accounts
        from helpline.merchants.models import Merchant

        for m in Merchant.objects.filter(pk__gte=first_merchant).order_by("pk")[:20]:
            if not User.objects.filter(email=f"u{m.pk}@bench.example").exists():
                accounts.user_create(
                    email=f"u{m.pk}@bench.example", role="merchant", merchant_id=m.pk
                )
        merchants = list(
            User.objects.filter(role="merchant", merchant_id__gte=first_merchant).order_by(
                "merchant_id"
            )[:20]
        )

    def query() -> tuple[str, str]:
        kind = rng.random()
        a, b = _zipf_word(rng, vocabulary), _zipf_word(rng, vocabulary)
        if kind < 0.4:
            return "one word", a
        if kind < 0.8:
            return "two words", f"{a} {b}"
        return "phrase", f'"{a} {b}"'

    groups = [("agent (all tickets)", [agent]), ("merchant users", merchants)]
    if who != "all":
        groups = [g for g in groups if g[0].startswith(who.rstrip("s"))]
    for label, users in groups:
        for _ in range(5):
            search.search_tickets(user=users[0], query=query()[1])
        times: list[float] = []
        by_kind: dict[str, list[float]] = {}
        slowest: list[tuple[float, str, str]] = []
        for _ in range(queries):
            user = rng.choice(users)
            kind, q = query()
            t = time.perf_counter()
            search.search_tickets(user=user, query=q)
            took = time.perf_counter() - t
            times.append(took)
            by_kind.setdefault(kind, []).append(took)
            slowest.append((took, user.email, q))
        print(f"search as {label}: {_pcts(times)}")
        for kind, samples in sorted(by_kind.items()):
            print(f"    {kind:9}: {_pcts(samples)}")
        for took, email, q in sorted(slowest, reverse=True)[:show_slowest]:
            print(f"    slow: {took * 1000:.1f} ms  {email}  {q!r}")
        _file_names(rng, label, users)
    if who != "all":
        return
    period = reports.Period.of(start=date(2025, 1, 1), end=date(2025, 12, 31))
    now = datetime(2027, 1, 1, tzinfo=UTC)
    for name in ("compliance-priority", "compliance-month", "response-times"):
        times = []
        for _ in range(5):
            t = time.perf_counter()
            reports.report(user=agent, name=name, period=period, now=now)
            times.append(time.perf_counter() - t)
        print(f"report {name} for 2025 as an agent: {_pcts(times)}")
    merchant = merchants[0]
    times = []
    for _ in range(5):
        t = time.perf_counter()
        reports.report(user=merchant, name="compliance-priority", period=period, now=now)
        times.append(time.perf_counter() - t)
    print(f"report compliance-priority for 2025 as a merchant: {_pcts(times)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["build", "attach", "measure"])
    parser.add_argument("--every", type=int, default=10, help="attach: a file on 1 message in N")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=5, help="messages per ticket")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--vocabulary", type=int, default=0, help="0: 130 domain words (worst case); V: Zipf"
    )
    parser.add_argument("--seed", type=int, default=1, help="another seed: other (cold) words")
    parser.add_argument("--no-tiers", action="store_true", help="search without decision 0075")
    parser.add_argument(
        "--no-merchant-index",
        action="store_true",
        help="merchant users' search without decision 0077 (create the old (merchant_id, id)"
        " b-tree reports_search_merchant first, drop it after)",
    )
    parser.add_argument(
        "--merchants-from",
        type=int,
        default=1,
        help="search as users of the 20 merchants from this id (made if missing): >20 for"
        " merchants whose pages no earlier run has read",
    )
    parser.add_argument("--slowest", type=int, default=0, help="print the N slowest queries")
    parser.add_argument(
        "--who", choices=["all", "agent", "merchants"], default="all", help="whose searches"
    )
    args = parser.parse_args()
    if args.step == "build":
        build(args.tickets, args.messages, args.vocabulary)
    elif args.step == "attach":
        attach(args.every)
    else:
        measure(
            args.queries,
            args.vocabulary,
            args.seed,
            not args.no_tiers,
            args.who,
            args.slowest,
            not args.no_merchant_index,
            args.merchants_from,
        )


if __name__ == "__main__":
    main()
