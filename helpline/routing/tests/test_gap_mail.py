"""The on-call rota's gaps are mailed to the admins through the outbox once a day (an
idempotency key per day), by the worker's daily job; the worker's step records its heartbeat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpline.core.models import Heartbeat
from helpline.outbox.models import Outbox
from helpline.routing.tests.rota import full_rota
from helpline.worker import on_call_gaps_daily, run_once

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # Monday 11:30 IST


def mails() -> list[Outbox]:
    return list(Outbox.objects.filter(kind="on_call_gaps").order_by("pk"))


def test_gaps_are_mailed_to_each_admin_once_a_day(cast) -> None:
    assert on_call_gaps_daily(now=NOW) == 1  # Ada, the one admin
    (mail,) = mails()
    assert mail.recipient == "ada@helpline.test"
    assert mail.idempotency_key == f"on-call-gaps:2026-12-07:{cast.ada.pk}"
    body = mail.payload["body"]
    assert "- Mon 07 Dec 18:00 to Tue 08 Dec 10:00 (Asia/Kolkata)" in body
    assert mail.payload["subject"] == "On-call rota: 5 gap(s) in the next 7 days"
    assert on_call_gaps_daily(now=NOW + timedelta(hours=12)) == 0  # 23:30 IST: same day
    assert len(mails()) == 1
    assert on_call_gaps_daily(now=NOW + timedelta(hours=13)) == 1  # 00:30 IST: the next day
    assert [m.idempotency_key[:23] for m in mails()] == [
        "on-call-gaps:2026-12-07",
        "on-call-gaps:2026-12-08",
    ]


def test_a_full_rota_mails_nobody(cast) -> None:
    full_rota(cast.ravi, cast.lena)
    assert on_call_gaps_daily(now=NOW) == 0
    assert mails() == []


def test_each_step_records_the_workers_heartbeat(cast) -> None:
    run_once(now=NOW)
    beat = Heartbeat.objects.get(name="worker")
    assert beat.beat_at == NOW
    run_once(now=NOW + timedelta(seconds=10))  # within 30 s: not written again
    assert Heartbeat.objects.get(name="worker").beat_at == NOW
    run_once(now=NOW + timedelta(seconds=31))
    assert Heartbeat.objects.get(name="worker").beat_at == NOW + timedelta(seconds=31)


def test_the_worker_once_runs_the_daily_job(cast) -> None:
    from helpline.worker import once

    lines = once(with_probes=False)
    assert lines[-1] == "on-call gaps mailed to 1 admin(s)"  # no rota: gaps, and Ada
    assert once(with_probes=False)[-1] == "on-call gaps mailed to 0 admin(s)"  # done today
    assert len(mails()) == 1
