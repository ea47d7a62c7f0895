"""The worker's step with time-machine: warnings and breaches at their exact instants, a late
worker catching up, business-hours tickets silent at night, auto-close, and the CLI."""

from __future__ import annotations

import io
import random
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from helpline.cli import main
from helpline.conftest import T0
from helpline.outbox import services
from helpline.outbox.models import Outbox, State
from helpline.tickets import services as tickets
from helpline.tickets.models import Status, Ticket, TicketClock, TicketEvent
from helpline.worker import run_once

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
MON = datetime(2026, 12, 7, 11, 0, tzinfo=IST)
# The ticket these tests open.
CHECKOUT_FAILS: dict[str, Any] = {"subject": "Checkout fails", "description": "500 on pay"}


def events(ticket: Ticket, kind: str) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind).order_by("pk"))


def test_warning_and_breach_recorded_at_their_exact_instants(cast) -> None:
    # C1: first response 2 h, 24×7: the chain's steps at 1 h (50 %) and 1 h 30 (75 %)
    ticket = cast.ticket(**CHECKOUT_FAILS, priority="C1", at=MON)
    half, warn_at = MON + timedelta(hours=1), MON + timedelta(hours=1, minutes=30)
    deadline = MON + timedelta(hours=2)
    with time_machine.travel(half - timedelta(seconds=1), tick=False):
        run_once()
        assert events(ticket, "sla_warning") == []
    with time_machine.travel(half, tick=False):
        run_once()
    with time_machine.travel(warn_at - timedelta(seconds=1), tick=False):
        run_once()
        assert [w.created_at for w in events(ticket, "sla_warning")] == [half]
    with time_machine.travel(warn_at, tick=False):
        run_once()
    warnings = events(ticket, "sla_warning")
    assert [(w.created_at, (w.after or {})["percent"]) for w in warnings] == [
        (half, 50),
        (warn_at, 75),
    ]
    with time_machine.travel(deadline - timedelta(microseconds=1), tick=False):
        run_once()
        assert events(ticket, "sla_breached") == []
    with time_machine.travel(deadline, tick=False):
        run_once()
    (breach,) = events(ticket, "sla_breached")
    assert breach.created_at == deadline
    assert (breach.after or {})["target"] == "first_response"
    # The assignee-less C1: the merchant got the acknowledgement; webhooks none (no endpoint).
    assert Outbox.objects.filter(ticket=ticket, kind="created").exists()


def test_a_worker_started_an_hour_late_records_breaches_at_their_true_times(cast) -> None:
    opened = [
        cast.ticket(**CHECKOUT_FAILS, priority="C1", at=MON + timedelta(minutes=7 * i))
        for i in range(5)
    ]
    last_deadline = MON + timedelta(minutes=7 * 4, hours=2)
    with time_machine.travel(last_deadline + timedelta(hours=1), tick=False):
        run_once()
    for i, ticket in enumerate(opened):
        deadline = MON + timedelta(minutes=7 * i, hours=2)
        clk = TicketClock.objects.get(ticket=ticket, kind="first_response")
        assert clk.breached_at == deadline
        assert clk.warned_at == deadline - timedelta(minutes=30)
        (breach,) = events(ticket, "sla_breached")
        assert breach.created_at == deadline


def is_business(at: datetime) -> bool:
    local = at.astimezone(IST)
    minutes = local.hour * 60 + local.minute
    return local.weekday() < 5 and 10 * 60 <= minutes <= 18 * 60


def test_business_hours_tickets_never_warn_at_night(cast) -> None:
    rng = random.Random(6)  # noqa: S311 - test data
    start = datetime(2026, 12, 7, 0, 0, tzinfo=IST)  # Monday; no holidays that week in IN
    opened = []
    for _ in range(24):
        at = start + timedelta(minutes=rng.randrange(0, 4 * 24 * 60))
        with time_machine.travel(at, tick=False):
            opened.append(
                cast.ticket(**CHECKOUT_FAILS, priority=rng.choice(["C2", "C3", "C4"]), at=at)
            )
    # An hourly worker through the nights and days of two weeks.
    at = start
    while at < start + timedelta(days=14):
        with time_machine.travel(at, tick=False):
            run_once()
        at += timedelta(minutes=37)
    warnings = TicketEvent.objects.filter(kind="sla_warning", ticket__in=opened)
    assert warnings.count() >= 24  # every ticket's first response warned, at least
    for warning in warnings:
        assert is_business(warning.created_at), warning.created_at.astimezone(IST)
    for breach in TicketEvent.objects.filter(kind="sla_breached", ticket__in=opened):
        assert is_business(breach.created_at)


def resolve(cast, ticket: Ticket, at: datetime) -> None:
    tickets.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Fixed", now=at)


def test_resolved_tickets_close_themselves_after_seven_days_without_a_merchant_reply(cast) -> None:
    quiet, answered = cast.ticket(**CHECKOUT_FAILS, at=MON), cast.ticket(**CHECKOUT_FAILS, at=MON)
    resolved_at = MON + timedelta(hours=1)
    resolve(cast, quiet, resolved_at)
    resolve(cast, answered, resolved_at)
    tickets.ticket_reply(
        actor=cast.alice, ticket=answered, body="Still broken", now=resolved_at + timedelta(days=2)
    )
    assert run_once(now=resolved_at + timedelta(days=7, seconds=-1)).closed == 0
    assert run_once(now=resolved_at + timedelta(days=7, hours=3)).closed == 1
    quiet.refresh_from_db()
    answered.refresh_from_db()
    assert quiet.status == Status.CLOSED
    assert quiet.closed_at == resolved_at + timedelta(days=7)  # when it fell due
    (status,) = [e for e in events(quiet, "status") if e.after == Status.CLOSED]
    assert status.actor is None
    assert "automatically" in status.reason
    assert answered.status == Status.IN_PROGRESS
    # The merchant hears of it.
    assert Outbox.objects.filter(ticket=quiet, kind="status", recipient="alice@acme.test").exists()


@override_settings(TICKET_AUTOCLOSE_DAYS=2)
def test_the_auto_close_delay_is_a_setting(cast) -> None:
    ticket = cast.ticket(**CHECKOUT_FAILS, at=MON)
    resolve(cast, ticket, MON + timedelta(hours=1))
    assert run_once(now=MON + timedelta(days=2, hours=1)).closed == 1


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cli_worker_once_and_outbox_dead_letters(db) -> None:
    with transaction.atomic():
        services.enqueue(
            channel="pigeon", kind="x", recipient="r", payload={}, idempotency_key="p", now=T0
        )
    code, out, _ = run("worker", "--once")
    assert code == 0
    assert "dead 1" in out
    code, out, _ = run("outbox", "dead")
    assert "pigeon" in out and "no channel" in out
    code, _, err = run("outbox", "retry")
    assert code == 2 and "--dead" in err
    code, out, _ = run("outbox", "retry", "--dead")
    assert code == 0 and "1 notification" in out
    assert Outbox.objects.get().state == State.PENDING
    code, out, _ = run("outbox", "status")
    assert "pending  1" in out
