"""The outbox: written with the change or not at all, claimed once, retried with backoff, dead
letters and their retry; mail through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings

from helpline.conftest import T0
from helpline.outbox import delivery, services
from helpline.outbox.models import Outbox, State
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


def test_smtp_down_is_retried_with_backoff_then_delivered_once_it_returns(db) -> None:
    sink = SmtpSink()  # not started: connections are refused
    with override_settings(**sink.settings()):
        mail(4)
        assert delivery.step(now=T0) == {"pending": 4}
        row = Outbox.objects.first()
        assert row is not None
        assert row.attempts == 1
        assert "Connection" in row.last_error or "refused" in row.last_error
        assert row.due_at == T0 + timedelta(seconds=30)
        # Not due yet: nothing is tried before the backoff has passed.
        assert delivery.step(now=T0 + timedelta(seconds=29)) == {}
        assert delivery.step(now=T0 + timedelta(seconds=30)) == {"pending": 4}
        assert Outbox.objects.get(pk=row.pk).due_at == T0 + timedelta(seconds=30 + 60)
        sink.start()
        try:
            assert delivery.step(now=T0 + timedelta(seconds=90)) == {"done": 4}
            assert delivery.step(now=T0 + timedelta(hours=2)) == {}
        finally:
            sink.stop()
    subjects = sorted(m["Subject"] for m in sink.messages)
    assert subjects == [f"note {i}" for i in range(4)]  # nothing lost, nothing doubled
    assert list(Outbox.objects.values_list("attempts", flat=True)) == [3] * 4


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
        sink.start()
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
