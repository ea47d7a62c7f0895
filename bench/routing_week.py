"""Routing over a simulated week, and the decision's time at scale.

Run: .venv/bin/python bench/routing_week.py [--tickets 2000] [--agents 500] [--open 50000]
     (DATABASE_URL=postgresql://…/routing_bench to use PostgreSQL: a database it may fill)

1. The week (helpline/routing/tests/week.py, the same code test_week.py runs smaller): six
   agents in two teams (Support 4, Apps 2) with IST shifts, one on leave Wednesday–Thursday,
   --capacity 200 each, working --pace 28 weighted units an hour, an on-call rota, 2,000
   tickets on a working-day curve — 40 C1s outside business hours, 200 mails from unknown
   senders, 50 forged "System Down" mails from one domain, all through mail_ingest — on an
   injected clock. Prints the table of properties.
2. The decision at scale in a second, fresh database: --agents agents with profiles and shifts
   in teams of 50 (and once all in one team), --open open tickets assigned among them; the
   median and p95 of routing.assignment.choose (loading the candidates and their loads, and
   deciding) over 200 calls, with its SQL queries: before (the loads counted from the tickets'
   covering index, decision 0130) and now (the loads the database keeps, decision 0184).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ["HELPLINE_DATA_DIR"] = tempfile.mkdtemp()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    os.environ.setdefault("HELPLINE_MAIL_AUTHSERV_IDS", "mx.helpline.test")  # week.py's MTA
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    if connection.vendor == "sqlite":  # a scratch database: no fsync per commit
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")


def week(tickets: int, days: int, capacity: int, pace: int) -> None:
    from helpline.routing.tests.week import Week, simulate

    started = time.perf_counter()
    scaled = tickets / 2000  # the issue's week has 2,000 tickets; a smaller one keeps its mix
    figures = simulate(
        Week(
            tickets=tickets,
            night_c1=max(1, round(40 * scaled)),
            unknown_mails=round(200 * scaled),
            forged=max(2, round(50 * scaled)),
            days=days,
            capacity=capacity,
            work_per_hour=pace,
        )
    )
    took = time.perf_counter() - started
    print(
        f"\nA simulated week: {tickets:,} tickets, capacity {capacity}, "
        f"{pace} weighted units an agent-hour ({took:.0f} s)\n"
    )
    print("| property | measured | goal |\n| --- | --- | --- |")
    for name, value, goal in figures.rows():
        print(f"| {name} | {value} | {goal} |")
    print(f"\nwaiting in a team queue, by reason: {figures.unassigned_reasons}")


def scale(agents: int, open_tickets: int, team_size: int) -> None:
    from datetime import UTC, date, datetime
    from datetime import time as clock_time

    from django.db import connection, transaction

    from helpline.accounts.models import Team, User
    from helpline.merchants import services as merchants
    from helpline.routing.models import AgentProfile, Leave, Shift, TeamRoute
    from helpline.sla import selectors as sla
    from helpline.tickets.models import Ticket

    now = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tuesday 11:30 IST
    with transaction.atomic():
        merchant = merchants.merchant_create(name="Big", slug=f"big{agents}-{team_size}", now=now)
        store = merchants.store_create(
            merchant=merchant, name="Big", url=f"https://big{agents}-{team_size}.test", now=now
        )
        users = User.objects.bulk_create(
            User(email=f"a{agents}-{team_size}-{i}@helpline.test", role="agent")
            for i in range(agents)
        )
        skills = ["functionality", "feature-broken", "app-submission"]
        AgentProfile.objects.bulk_create(
            AgentProfile(user=u, skills=skills, languages=["en"], capacity=10_000) for u in users
        )
        spans = [
            (clock_time(7), clock_time(15)),
            (clock_time(10), clock_time(18)),
            (clock_time(13), clock_time(21)),
        ]
        Shift.objects.bulk_create(
            Shift(user=u, weekday=d, start=spans[i % 3][0], end=spans[i % 3][1])
            for i, u in enumerate(users)
            for d in range(6)
        )
        # Some leave, as a desk has: every tenth agent away this week, every seventh last month.
        Leave.objects.bulk_create(
            Leave(user=u, starts_on=date(2026, 11, 30), ends_on=date(2026, 12, 4))
            for u in users[::10]
        )
        Leave.objects.bulk_create(
            Leave(user=u, starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 6))
            for u in users[::7]
        )
        first_team = None
        for n in range(0, agents, team_size):
            team = Team.objects.create(name=f"T{agents}-{team_size}-{n}")
            team.members.set(users[n : n + team_size])
            first_team = first_team or team
        TeamRoute.objects.update_or_create(issue_type="", defaults={"team": first_team})
        policy = sla.current_policy()
        Ticket.objects.bulk_create(
            (
                Ticket(
                    merchant=merchant,
                    store=store,
                    subject="x",
                    description="x",
                    issue_type="functionality",
                    priority=("C1", "C2", "C3", "C4")[i % 4],
                    status="in_progress",
                    channel="api",
                    policy_version_id=policy.version_id,
                    created_at=now,
                    updated_at=now,
                    assignee=users[i % agents],
                    team=first_team,
                )
                for i in range(open_tickets)
            ),
            batch_size=5000,
        )
        probe = (
            Ticket.objects.filter(store=store).select_related("merchant").first()
        )  # as routing has it
    assert probe is not None
    with connection.cursor() as cursor:  # the before's covering index (decision 0130)
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS ticket_assignee_load "
            "ON tickets_ticket (assignee_id, status, priority)"
        )
    if connection.vendor == "postgresql":  # what autovacuum does after a bulk load: the
        with connection.cursor() as cursor:  # visibility map lets the loads read the index only
            cursor.execute("VACUUM ANALYZE tickets_ticket")
            cursor.execute("VACUUM ANALYZE tickets_openload")
    probe.team_id = first_team.pk
    label = f"{agents} agents (teams of {team_size}), {open_tickets:,} open"
    for name, loads in (("before (0130: counted)", loads_before), ("now (0184: kept)", None)):
        _time_choose(f"{label}, {name}", probe, now, loads)


def loads_before(facts: Any, candidates: Any, now: Any) -> dict[int, int]:
    """The loads before decision 0184, kept to print beside today's: the eligible candidates'
    open tickets counted per (assignee, priority) from the covering index of decision 0130
    (the bench builds that index again for it), weighed in Python."""
    from django.db.models import Count

    from helpline.routing.decide import WEIGHTS, eligible
    from helpline.tickets.models import OPEN_STATUSES, Ticket

    pool = eligible(facts, candidates, now)
    ids = sorted(c.user_id for c in pool) if not isinstance(pool, str) else []
    rows = (
        Ticket.objects.filter(assignee_id__in=ids, status__in=OPEN_STATUSES)
        .values_list("assignee_id", "priority")
        .annotate(n=Count("*"))
        .order_by()
    )
    loads: dict[int, int] = {}
    for assignee_id, priority, n in rows:
        loads[assignee_id] = loads.get(assignee_id, 0) + WEIGHTS.get(priority, 1) * n
    return loads


def _time_choose(label: str, probe: Any, now: Any, loads: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from helpline.routing import assignment as routing

    today = routing.loads_of
    routing.loads_of = loads or today
    try:
        for _ in range(5):
            routing.choose(probe, now=now)
        times = []
        for _ in range(200):
            started = time.perf_counter()
            decision = routing.choose(probe, now=now)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            routing.choose(probe, now=now)
    finally:
        routing.loads_of = today
    times.sort()
    print(
        f"| {label} | {statistics.median(times):.2f} ms | "
        f"{times[int(len(times) * 0.95)]:.2f} ms | {len(ctx.captured_queries)} | "
        f"{decision.reason} |"
    )
    if os.environ.get("QDUMP"):
        for q in ctx.captured_queries:
            print("   ", q["sql"][:300])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--open", type=int, default=50_000)
    parser.add_argument("--no-week", action="store_true", help="only the decision at scale")
    parser.add_argument("--no-scale", action="store_true", help="only the simulated week")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--capacity", type=int, default=200, help="every agent's, in the week")
    parser.add_argument(
        "--pace", type=int, default=28, help="weighted units an agent-hour (a multiple of 4)"
    )
    args = parser.parse_args()
    setup()
    from django.db import connection

    print(f"engine: {connection.vendor}")
    if not args.no_week:
        week(args.tickets, args.days, args.capacity, args.pace)
    if args.no_scale:
        return
    print("\nThe decision incl. loading (routing.assignment.choose), 200 calls\n")
    print("| data | median | p95 | queries | decision |\n| --- | --- | --- | --- | --- |")
    scale(args.agents, args.open, 50)
    scale(args.agents, args.open, args.agents)


if __name__ == "__main__":
    main()
