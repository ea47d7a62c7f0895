"""The "promise kept" report, the goals beside SLA compliance and the due-date sweep at scale, on
PostgreSQL — and the alternative decision 0095 turned down (the first due date derived from the
events instead of the ``first_due_at`` column).

Run (never in CI):
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/helpline_promise \\
        .venv/bin/python bench/promise_report.py build [--tickets 300000]
    DATABASE_URL=… .venv/bin/python bench/promise_report.py measure [--runs 7]

build: migrate, then INSERT … SELECT generate_series (not the ORM): 2,000 merchants with a store
each, 20 agents in 4 teams, tickets over a year (C1–C4; 80 % resolved, half of them after their
due date), a first due date at triage and, for one ticket in four, a second (moved) due date —
both as ``due_date`` events too, as the services write them — and the two SLA clocks.

measure: each ``promise-*`` table and ``compliance-priority`` (with its goals, and without) for
the year as an agent, p50 / max of N runs; the same promise table with the first due date
taken from the events (the earliest ``due_date`` event of each ticket); the due-date sweep's
query and plan.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from search_scale import CLOCKS_SQL  # bench/ is on the path when a bench runs


def _setup() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database this bench may fill")
    os.environ["HELPLINE_DATA_DIR"] = os.environ.get("HELPLINE_DATA_DIR") or tempfile.mkdtemp()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()


def build(tickets: int) -> None:
    _setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from helpline.accounts import services as accounts
    from helpline.sla import selectors as sla_selectors

    policy = sla_selectors.current_policy()
    t0 = time.perf_counter()
    agents = [
        accounts.user_create(email=f"agent{i}@helpline.test", role="agent") for i in range(20)
    ]
    for n in range(4):
        accounts.team_create(name=f"Team {n}", lead=agents[n], members=agents[n::4])
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM tickets_ticket")
        if c.fetchone()[0]:
            raise SystemExit("the database already has tickets; drop it first")
        c.execute(
            "INSERT INTO merchants_merchant (name, slug, time_zone, created_at) "
            "SELECT 'Merchant ' || g, 'm' || g, 'Asia/Kolkata', now() "
            "FROM generate_series(1, 2000) g"
        )
        c.execute(
            "INSERT INTO merchants_store (merchant_id, name, url, created_at) "
            "SELECT id, 'Store of ' || name, 'https://' || slug || '.example', now() "
            "FROM merchants_merchant"
        )
        c.execute("ALTER TABLE tickets_ticket DISABLE TRIGGER USER")
        c.execute("SELECT min(id) FROM accounts_user WHERE role = 'agent'")
        first_agent = c.fetchone()[0]
        c.execute("SELECT min(id) FROM accounts_team")
        first_team = c.fetchone()[0]
        # Due 3 days after creation; resolved (80 %) between 1 and 5 days after; one in four
        # moved by 2 days.
        c.execute(
            """
            INSERT INTO tickets_ticket (merchant_id, store_id, subject, description, issue_type,
                priority, status, channel, policy_version_id, due_reason, created_at,
                updated_at, resolved_at, closed_at, rating, rating_comment, unverified_sender,
                assignee_id, team_id, first_due_at, due_at)
            SELECT s.merchant_id, s.id, 'subject', 'description',
                (ARRAY['functionality','ui-design','feature-request','reports-no-data'])
                    [1 + mod(g, 4)],
                'C' || (1 + mod(g, 4)),
                CASE WHEN mod(g, 10) < 8 THEN 'closed' ELSE 'in_progress' END, 'portal', %s, '',
                ts, ts,
                CASE WHEN mod(g, 10) < 8 THEN ts + (1 + mod(g, 5)) * interval '1 day' END,
                CASE WHEN mod(g, 10) < 8 THEN ts + interval '7 days' END,
                NULL, '', false,
                %s + mod(g, 20), %s + mod(g, 4),
                ts + interval '3 days',
                ts + CASE WHEN mod(g, 4) = 0 THEN interval '5 days' ELSE interval '3 days' END
            FROM (
                SELECT g, timestamptz '2025-01-01 00:00+00' + (g::float8 / %s * 365 * 86400)
                    * interval '1 second' AS ts,
                    1 + mod(g::bigint * 7919, 2000) AS store_id
                FROM generate_series(1, %s) g
            ) x JOIN merchants_store s ON s.id = x.store_id
            """,
            [policy.version_id, first_agent, first_team, tickets, tickets],
        )
        print(f"tickets {time.perf_counter() - t0:.0f} s", flush=True)
        c.execute(
            """
            INSERT INTO tickets_ticketevent (ticket_id, kind, before, after, reason, public,
                created_at)
            SELECT id, 'due_date', 'null'::jsonb, to_jsonb(first_due_at), '', true, created_at
            FROM tickets_ticket
            UNION ALL
            SELECT id, 'due_date', to_jsonb(first_due_at), to_jsonb(due_at), 'moved', true,
                created_at + interval '1 day'
            FROM tickets_ticket WHERE due_at <> first_due_at
            """
        )
        print(f"due_date events {time.perf_counter() - t0:.0f} s", flush=True)
        c.execute(CLOCKS_SQL)  # the two SLA clocks, as the search bench makes them
        c.execute("ALTER TABLE tickets_ticket ENABLE TRIGGER USER")
        for table in ("tickets_ticket", "tickets_ticketevent", "tickets_ticketclock"):
            c.execute(f"VACUUM ANALYZE {table}")
    print(f"built {tickets} tickets in {time.perf_counter() - t0:.0f} s", flush=True)


def _time(fn: Callable[[], object], runs: int) -> str:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return f"p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms"


# The first due date from the events: the earliest due_date event of each ticket.
FROM_EVENTS = """
    SELECT u.email, count(*),
        count(*) FILTER (WHERE t.resolved_at <= f.first_due),
        count(*) FILTER (WHERE t.resolved_at > f.first_due
            OR (t.resolved_at IS NULL AND f.first_due <= %s))
    FROM tickets_ticket t
    JOIN LATERAL (
        SELECT (e.after #>> '{}')::timestamptz AS first_due FROM tickets_ticketevent e
        WHERE e.ticket_id = t.id AND e.kind = 'due_date' ORDER BY e.id LIMIT 1
    ) f ON true
    LEFT JOIN accounts_user u ON u.id = t.assignee_id
    WHERE t.created_at >= %s AND t.created_at < %s
    GROUP BY u.email ORDER BY u.email
"""


def measure(runs: int) -> None:
    _setup()
    from django.db import connection

    from helpline.accounts.models import User
    from helpline.reports import selectors as reports
    from helpline.tickets import sweeps

    agent = User.objects.filter(role="agent").order_by("pk").first()
    period = reports.Period.of(start=date(2025, 1, 1), end=date(2025, 12, 31))
    now = datetime(2026, 1, 15, tzinfo=UTC)
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM tickets_ticket")
        print(f"{c.fetchone()[0]} tickets", flush=True)
    for name in (
        "promise-agent",
        "promise-team",
        "promise-issue-type",
        "promise-merchant",
        "compliance-priority",
    ):
        fn = lambda name=name: reports.report(user=agent, name=name, period=period, now=now)  # noqa: E731
        print(f"report {name} for 2025 as an agent: {_time(fn, runs)}", flush=True)

    from helpline.reports import goals

    kept, goals.GOALS = goals.GOALS, ()  # the same table without the goals' six columns
    fn = lambda: reports.report(user=agent, name="compliance-priority", period=period, now=now)  # noqa: E731
    print(f"report compliance-priority without the goals: {_time(fn, runs)}", flush=True)
    goals.GOALS = kept

    def from_events() -> None:
        with connection.cursor() as c:
            c.execute(FROM_EVENTS, [now, period.start, period.end])
            c.fetchall()

    print(f"promise by agent, first due date from the events: {_time(from_events, runs)}")
    sweep = lambda: sweeps.due_dates_sweep(now=datetime(2024, 12, 1, tzinfo=UTC))  # noqa: E731
    print(f"due-date sweep, nothing due: {_time(sweep, runs)}")
    qs = (
        sweeps.Ticket.objects.extra(where=[sweeps.DUE_UNPASSED])  # noqa: S610
        .filter(due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:500]
    )
    print("due-date sweep plan:", qs.explain().splitlines()[0:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--tickets", type=int, default=300_000)
    m = sub.add_parser("measure")
    m.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if args.cmd == "build":
        build(args.tickets)
    else:
        measure(args.runs)


if __name__ == "__main__":
    main()
