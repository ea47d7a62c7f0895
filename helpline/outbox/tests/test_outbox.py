"""The outbox: written with the change or not at all, claimed once, retried with backoff, dead
letters and their retry; mail through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings

from helpline.conftest import T0
from helpline.outbox import delivery, services
from helpline.outbox.models import Outbox, Priority, State
from helpline.outbox.tests.servers import SmtpSink

pytestmark = pytest.mark.django_db


def mail(n: int, *, at=T0) -> None:
    with transaction.atomic():
        for i in range(n):
            services.enqueue(
                channel="email",
                kind="test",
                recipient=f"user{i}@example.test",
                payload={
                    "subject": f"note {i}",
                    "body": f"body {i}",
                    "message_id": f"<n{i}.abc@helpline.test>",
                },
                idempotency_key=f"test.{i}",
                now=at,
            )


def test_enqueue_outside_a_transaction_is_refused(transactional_db) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.enqueue(
            channel="email", kind="x", recipient="a@b.test", payload={}, idempotency_key="k"
        )


def test_the_same_idempotency_key_is_written_once(db) -> None:
    mail(3)
    mail(3)
    assert Outbox.objects.count() == 3


def test_mail_is_delivered_once_with_auto_submitted(smtp: SmtpSink) -> None:
    mail(5)
    result = delivery.step(now=T0)
    assert result == {"done": 5}
    assert sorted(m["Subject"] for m in smtp.messages) == [f"note {i}" for i in range(5)]
    first = smtp.messages[0]
    assert first["Auto-Submitted"] == "auto-generated"
    assert first["Message-ID"].endswith("@helpline.test>")
    assert first["X-Helpline-Idempotency-Key"].startswith("test.")
    assert set(Outbox.objects.values_list("state", flat=True)) == {State.DONE}
    assert delivery.step(now=T0 + timedelta(hours=1)) == {}
    assert len(smtp.messages) == 5


def test_smtp_down_holds_the_batch_briefly_without_spending_attempts(db) -> None:
    """A mail server that cannot be reached is nobody's fault (decision 0190): the batch goes
    back, due in 15 s, no attempt counted — an outage of any length sends nothing to the dead
    letter, and the backlog goes out within 15 s of its end, not after a doubled backoff."""
    sink = SmtpSink()  # not started: connections are refused
    with override_settings(**sink.settings()):
        mail(4)
        assert delivery.step(now=T0) == {"pending": 4}
        rows = list(Outbox.objects.all())
        assert {r.attempts for r in rows} == {0}
        assert all("unreachable" in r.last_error for r in rows)
        assert {r.due_at for r in rows} == {T0 + timedelta(seconds=15)}
        assert delivery.step(now=T0 + timedelta(seconds=14)) == {}  # not due yet
        at = T0
        for _ in range(40):  # ten minutes down, tried every 15 s
            at += timedelta(seconds=15)
            assert delivery.step(now=at) == {"pending": 4}
        assert set(Outbox.objects.values_list("state", "attempts")) == {(State.PENDING, 0)}
        sink.start()
        try:
            assert delivery.step(now=at + timedelta(seconds=15)) == {"done": 4}
            assert delivery.step(now=at + timedelta(hours=2)) == {}
        finally:
            sink.stop()
    subjects = sorted(m["Subject"] for m in sink.messages)
    assert subjects == [f"note {i}" for i in range(4)]  # nothing lost, nothing doubled
    assert list(Outbox.objects.values_list("attempts", flat=True)) == [1] * 4


def test_a_server_that_refuses_the_message_is_retried_with_backoff(db) -> None:
    sink = SmtpSink()
    sink.handler.refuse = True
    sink.start()
    try:
        with override_settings(**sink.settings()):
            mail(2)
            assert delivery.step(now=T0) == {"pending": 2}
            row = Outbox.objects.first()
            assert row is not None
            assert row.attempts == 1
            assert "451" in row.last_error
            assert row.due_at == T0 + timedelta(seconds=30)
            assert delivery.step(now=T0 + timedelta(seconds=30)) == {"pending": 2}
            assert Outbox.objects.get(pk=row.pk).due_at == T0 + timedelta(seconds=30 + 60)
            sink.handler.refuse = False
            assert delivery.step(now=T0 + timedelta(seconds=90)) == {"done": 2}
    finally:
        sink.stop()
    assert len(sink.messages) == 2


def test_urgent_rows_are_claimed_before_older_normal_ones(db) -> None:
    """A storm's backlog of notices does not delay an acknowledgement (decision 0190)."""
    mail(5, at=T0 - timedelta(minutes=5))
    with transaction.atomic():
        services.enqueue(
            channel="email",
            kind="mail_ack",
            recipient="merchant@example.test",
            payload={"subject": "ack", "body": "b", "message_id": "<ack@helpline.test>"},
            idempotency_key="ack.1",
            now=T0,
            priority=Priority.URGENT,
        )
    first = delivery.claim(now=T0, worker="a", limit=2)
    assert [r.kind for r in first] == ["mail_ack", "test"]
    assert first[1].idempotency_key == "test.0"  # then the oldest normal one


def test_backoff_doubles_and_is_capped() -> None:
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4, 8, 20)] == [
        30,
        60,
        120,
        240,
        3600,
        3600,
    ]


@override_settings(NOTIFY_MAX_ATTEMPTS=3)
def test_dead_letter_after_the_last_try_and_retry_sends_it(db) -> None:
    sink = SmtpSink()
    sink.handler.refuse = True
    sink.start()
    with override_settings(**sink.settings()):
        mail(1)
        at = T0
        for _ in range(3):
            delivery.step(now=at)
            at += timedelta(hours=2)
        row = Outbox.objects.get()
        assert row.state == State.DEAD
        assert row.attempts == 3
        assert delivery.step(now=at + timedelta(days=1)) == {}  # dead stays dead
        assert services.outbox_dead()[0].pk == row.pk
        sink.handler.refuse = False
        try:
            assert services.outbox_retry(ids=[row.pk], now=at) == 1
            assert delivery.step(now=at) == {"done": 1}
        finally:
            sink.stop()
    assert len(sink.messages) == 1
    assert Outbox.objects.get().state == State.DONE


def test_a_claimed_row_is_not_claimed_again_until_its_lease_ends(db) -> None:
    mail(3)
    first = delivery.claim(now=T0, worker="a")
    assert len(first) == 3
    assert delivery.claim(now=T0 + timedelta(seconds=60), worker="b") == []
    # Worker a died: after the lease (120 s) the rows are due again, with an attempt counted.
    again = delivery.claim(now=T0 + timedelta(seconds=121), worker="b")
    assert [r.pk for r in again] == [r.pk for r in first]
    assert {r.attempts for r in again} == {2}
    assert {r.claimed_by.split("/")[0] for r in again} == {"b"}


def test_an_unknown_channel_is_a_dead_letter(db) -> None:
    with transaction.atomic():
        services.enqueue(
            channel="pigeon", kind="x", recipient="r", payload={}, idempotency_key="p", now=T0
        )
    assert delivery.step(now=T0) == {"dead": 1}
    assert "no channel 'pigeon'" in Outbox.objects.get().last_error


def test_a_dead_workers_claims_are_due_again_when_a_worker_starts(db) -> None:
    """SIGKILL leaves the batch claimed for the lease (2 min); a worker starting on the same
    machine gives back what a dead process held at once (decision 0193), and leaves alone the
    claims of a live process and of other machines."""
    import os
    import socket
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    mail(3)
    rows = list(Outbox.objects.order_by("pk"))
    for row, worker in zip(
        rows, [f"{host}:{gone.pid}", f"{host}:{os.getpid()}", f"elsewhere:{gone.pid}"], strict=True
    ):
        assert delivery.claim(now=T0, worker=worker, limit=1)[0].pk == row.pk
    assert delivery.release_dead_claims(now=T0 + timedelta(seconds=5)) == 1
    states = list(Outbox.objects.order_by("pk").values_list("state", "due_at"))
    assert states[0] == (State.PENDING, T0 + timedelta(seconds=5))
    assert [s for s, _ in states[1:]] == [State.SENDING, State.SENDING]
