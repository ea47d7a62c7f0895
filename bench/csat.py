"""CSAT's goals, measured: a survey on 100 % of resolutions (agent resolve, merchant close,
auto-close), a no-login answer in one click, the low-score follow-up within a minute — and what
the survey costs a resolution, beside the same resolution without it (the CSAT listener taken
out), in one run.

Run: .venv/bin/python bench/csat.py [--tickets 300]
     (DATABASE_URL=postgresql://…/hl_csat_bench to use PostgreSQL: a database it may fill)

A fresh HELPLINE_DATA_DIR and `helpline migrate`; one merchant with a store its account manager
looks after, one merchant user with a WhatsApp number, one agent. Every ticket is opened and
triaged through the services; then, alternately, one is resolved with the CSAT listener
registered and one without (the "before"): ms per resolution (p50, p95) and its SQL queries.
Of the resolved tickets, a third are closed by the merchant in the portal (with a rating), the
rest are left for the worker's auto-close sweep. Then every survey mail's link for its score is
opened as a mail client would: GET (records nothing) and the one POST the page's script sends;
scores 1–5 in turn, so a fifth are low scores that open a follow-up.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELPLINE = [sys.executable, "-c", "import sys; from helpline.cli import main; sys.exit(main())"]


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"{statistics.median(ordered) * 1000:.1f} / {p95 * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=300)
    args = parser.parse_args()
    os.environ["HELPLINE_DATA_DIR"] = os.environ.get("HELPLINE_DATA_DIR") or tempfile.mkdtemp()
    os.environ.setdefault("HELPLINE_ALLOWED_HOSTS", "testserver,localhost")
    subprocess.run([*HELPLINE, "migrate"], check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()
    run(args.tickets)


def _cast() -> tuple[object, object, object, object]:
    from helpline.accounts import services as accounts
    from helpline.core import clock
    from helpline.merchants import services as merchants

    now = clock.now()
    merchant = merchants.merchant_create(name="Kalpana Handlooms", slug="kalpana", now=now)
    manager = accounts.user_create(email="am@helpline.test", role="account_manager")
    agent = accounts.user_create(email="agent@helpline.test", role="agent")
    user = accounts.user_create(
        email="priya@kalpana.test", role="merchant", merchant_id=merchant.pk
    )
    accounts.user_whatsapp_set(user=user, whatsapp="+919800000001")
    user.refresh_from_db()
    store = merchants.store_create(
        merchant=merchant,
        name="Kalpana",
        url="https://kalpana.test",
        account_manager=manager,
        now=now,
    )
    return store, user, agent, manager


def run(count: int) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from helpline.core import clock
    from helpline.csat import services as csat
    from helpline.csat.models import Answer, FollowUp, Survey
    from helpline.outbox.models import Outbox
    from helpline.tickets import listeners, sweeps
    from helpline.tickets import services as tickets
    from helpline.tickets.models import Ticket, TicketEvent

    store, user, agent, _ = _cast()
    now = clock.now()
    opened = []
    for n in range(count):
        ticket = tickets.ticket_create(
            actor=user,
            store=store,
            subject=f"Problem {n}",
            description="x",
            issue_type="functionality",
            now=now,
        )
        opened.append(tickets.ticket_triage(actor=agent, ticket=ticket, assignee=agent.pk, now=now))
    timing: dict[bool, list[float]] = {True: [], False: []}
    queries: dict[bool, list[int]] = {True: [], False: []}
    for n, ticket in enumerate(opened):
        with_csat = n % 2 == 0
        if not with_csat:
            listeners._listeners.remove(csat.ticket_events_written)
        try:
            with CaptureQueriesContext(connection) as seen:
                started = time.perf_counter()
                tickets.ticket_resolve(actor=agent, ticket=ticket, message="Fixed.", now=now)
                timing[with_csat].append(time.perf_counter() - started)
        finally:
            listeners.register(csat.ticket_events_written)
        queries[with_csat].append(len(seen))
    print(f"resolutions: {count} tickets, alternately with and without the survey")
    print("| a resolution | ms p50 / p95 | SQL queries |")
    print("| --- | --- | --- |")
    for label, key in (("without CSAT (before)", False), ("with the survey (now)", True)):
        print(f"| {label} | {_ms(timing[key])} | {statistics.median(queries[key]):.0f} |")

    # A third closed by the merchant with a rating, the rest auto-closed by the worker's sweep.
    later = now + timedelta(hours=1)
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in opened[::3]]):
        tickets.ticket_close(actor=user, ticket=ticket, rating=4, now=later)
    days = settings.TICKET_AUTOCLOSE_DAYS
    auto = sweeps.tickets_autoclose(now=now + timedelta(days=days, hours=1), limit=count)
    resolutions = TicketEvent.objects.filter(kind="resolved").count()
    surveyed = Survey.objects.count()
    share = 100 * surveyed / resolutions
    print(
        f"\nsurveys: {surveyed} of {resolutions} resolutions ({share:.1f} %);"
        f" {len(opened[::3])} closed by the merchant, {auto} auto-closed; half of the"
        f" resolutions were made without the listener and got their survey on closing"
    )

    client, clicks, posts, low_latency = Client(), 0, [], []
    rows = Outbox.objects.filter(kind="csat_survey", channel="email").order_by("pk")
    answer_at = now + timedelta(days=1)
    clock_patch = _frozen(answer_at)
    with clock_patch:
        for n, row in enumerate(rows):
            score = n % 5 + 1
            link = re.search(rf"^{score} — .*?(/survey/\S+/)$", row.payload["body"], re.M)
            assert link
            page = client.get(link.group(1))
            assert b"data-autosubmit" in page.content or b'id="outcome"' in page.content
            started = time.perf_counter()
            client.post(link.group(1), {"action": "score"})
            posts.append(time.perf_counter() - started)
            clicks += 1
    answers = Answer.objects.count()
    print(
        f"\none-click answers: {answers} answers from {clicks} clicks (a GET that records nothing,"
        f" the page's one POST): POST ms p50 / p95 {_ms(posts)}"
    )
    for follow_up in FollowUp.objects.select_related("survey__answer"):
        answered = follow_up.survey.answer.changed_at or follow_up.survey.answer.answered_at
        low_latency.append((follow_up.created_at - answered).total_seconds())
    lows = Answer.objects.filter(score__lte=2).count()
    print(
        f"low-score follow-ups: {len(low_latency)} for {lows} answers of 1–2; opened"
        f" {max(low_latency, default=0):.0f} s after the answer at most (goal: 60 s)"
    )


class _frozen:
    """The clock at one instant (the web view reads ``clock.now()``), without time-machine."""

    def __init__(self, at: object) -> None:
        self.at = at

    def __enter__(self) -> None:
        from helpline.core import clock

        self.real = clock.now
        clock.now = lambda: self.at  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        from helpline.core import clock

        clock.now = self.real  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
