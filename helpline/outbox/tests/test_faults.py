"""Faults with real parts: a worker process killed with SIGKILL in the middle of a batch, a
worker stopped with SIGTERM, and two workers sharing one queue (1,000 notifications)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import override_settings

from helpline.core import clock
from helpline.core.tests import HELPLINE
from helpline.outbox import delivery, services
from helpline.outbox.models import Outbox, State
from helpline.outbox.tests.servers import Receiver, SmtpSink, http_receiver

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SECRET = "a-shared-secret-of-some-length"
START_UP_SECONDS = 60


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HELPLINE_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        HELPLINE_DATA_DIR=str(settings.DATA_DIR),
        DATABASE_URL=database_url(),
        HELPLINE_HTTP_ALLOW_PRIVATE="1",
        **extra,
    )
    return env


def enqueue_mails(count: int, *, key: str, message_id: str, now: datetime) -> None:
    """``count`` mails due ``now``, subject ``n<i>``, keys ``<key>.<i>``."""
    with transaction.atomic():
        services.enqueue_many(
            [
                services.Notification(
                    channel="email",
                    kind="test",
                    recipient=f"user{i}@example.test",
                    payload={"subject": f"n{i}", "body": "b", "message_id": message_id.format(i)},
                    idempotency_key=f"{key}.{i}",
                    due_at=now,
                )
                for i in range(count)
            ],
            now=now,
        )


def wait_for(condition: Any, proc: subprocess.Popen[bytes], log: Path, what: str) -> None:
    """Readiness poll of a real subprocess: bounded by a deadline, short sleeps."""
    deadline = time.monotonic() + START_UP_SECONDS
    while not condition():
        assert proc.poll() is None, f"worker exited {proc.returncode}:\n{log.read_text()}"
        assert time.monotonic() < deadline, (
            f"no {what} within {START_UP_SECONDS}s:\n{log.read_text()}"
        )
        time.sleep(0.02)


def test_sigkill_mid_batch_loses_nothing_and_repeats_at_most_the_one_in_flight(
    tmp_path: Path,
) -> None:
    hooks = Receiver(secret=SECRET, delay=0.05)
    cloud = Receiver(delay=0.05)  # the WhatsApp Cloud API stand-in: counts calls
    with http_receiver(hooks) as hooks_url, http_receiver(cloud) as cloud_url:
        now = clock.now()
        endpoint = services.webhook_endpoint_create(
            name="in-house", url=f"{hooks_url}/hook", secret=SECRET, now=now
        )
        with transaction.atomic():
            for i in range(60):
                services.enqueue(
                    channel="webhook",
                    kind="sla_breached",
                    recipient=endpoint.url,
                    payload={"endpoint_id": endpoint.pk, "body": {"n": i}},
                    idempotency_key=f"ev{i}.webhook.{endpoint.pk}",
                    now=now,
                )
                if i % 3 == 0:
                    services.enqueue(
                        channel="whatsapp",
                        kind="sla_breached",
                        recipient="+919800000001",
                        payload={"text": f"{i}", "template": {"name": "t", "params": [str(i)]}},
                        idempotency_key=f"ev{i}.whatsapp.u1",
                        now=now,
                    )
        env = worker_env(
            HELPLINE_WHATSAPP_API_URL=cloud_url,
            HELPLINE_WHATSAPP_PHONE_NUMBER_ID="1055",
            HELPLINE_WHATSAPP_TOKEN="test-token",
        )
        log = tmp_path / "worker.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [*HELPLINE, "worker", "--interval", "0.2"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(lambda: hooks.calls + cloud.calls >= 25, proc, log, "deliveries")
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        before_restart = hooks.calls + cloud.calls
        assert 25 <= before_restart < 80, "killed in the middle of the batch"
        # A worker started after the dead one's lease: everything left is delivered.
        later = clock.now() + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS + 1)
        with override_settings(
            HELPLINE_HTTP_ALLOW_PRIVATE=True,
            WHATSAPP_API_URL=cloud_url,
            WHATSAPP_PHONE_NUMBER_ID="1055",
            WHATSAPP_TOKEN="test-token",
        ):
            while sum(delivery.step(now=later).values()):
                pass
    assert set(Outbox.objects.values_list("state", flat=True)) == {State.DONE}
    assert hooks.bad_signatures == 0
    webhook_keys = {f"ev{i}.webhook.{endpoint.pk}" for i in range(60)}
    whatsapp_keys = {f"ev{i}.whatsapp.u1" for i in range(0, 60, 3)}
    assert set(hooks.accepted) == webhook_keys  # every one delivered, each accepted once
    assert set(cloud.keys) == whatsapp_keys
    repeats = sum(hooks.keys.values()) - len(webhook_keys)
    repeats += sum(cloud.keys.values()) - len(whatsapp_keys)
    assert repeats <= 1  # at most the one in flight, and the receiver dropped it by its key
    assert len(hooks.accepted) == len(webhook_keys)


def test_sigkill_mid_batch_of_mails_repeats_at_most_the_one_in_flight(tmp_path: Path) -> None:
    # Mail marks the previous row done while the next one's envelope goes out (delivery.py):
    # the bound must still hold. The sink counts every message it took, repeats included.
    sink = SmtpSink(delay=0.02)
    sink.start()
    now = clock.now()
    enqueue_mails(120, key="kill", message_id="<k{}@h.test>", now=now)
    log = tmp_path / "worker.log"
    try:
        with log.open("w") as out:
            proc = subprocess.Popen(
                [*HELPLINE, "worker", "--interval", "0.2"],
                env=worker_env(HELPLINE_EMAIL_URL=f"smtp://127.0.0.1:{sink.port}"),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(lambda: len(sink.messages) >= 30, proc, log, "deliveries")
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        assert 30 <= len(sink.messages) < 120, "killed in the middle of the batch"
        later = clock.now() + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS + 1)
        with override_settings(**sink.settings()):
            while sum(delivery.step(now=later).values()):
                pass
    finally:
        sink.stop()
    assert set(Outbox.objects.values_list("state", flat=True)) == {State.DONE}
    received = Counter(m["Message-ID"] for m in sink.messages)
    assert set(received) == {f"<k{i}@h.test>" for i in range(120)}  # nothing lost
    assert sum(received.values()) - 120 <= 1  # at most the one in flight, twice


def test_sigterm_stops_the_worker_cleanly(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*HELPLINE, "worker", "--interval", "0.2"],
            env=worker_env(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: "running" in log.read_text(), proc, log, "start")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "stopped after" in log.read_text()


def test_two_workers_deliver_1000_notifications_without_duplicates() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("several workers share one queue on PostgreSQL; SQLite runs one worker")
    sink = SmtpSink()
    sink.start()
    now = clock.now()
    enqueue_mails(1000, key="bulk", message_id="<n{}@h.test>", now=now)
    delivered: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        try:
            with override_settings(**sink.settings()):
                at = now
                for _ in range(10_000):
                    done = delivery.deliver_due(now=at, worker=name, limit=25)
                    if done:
                        with lock:
                            delivered[name] += done["done"]
                        continue
                    # Nothing due now. A try that timed out on a loaded machine waits for its
                    # retry: move this worker's clock to it rather than give up on the row.
                    waiting = Outbox.objects.filter(state=State.PENDING).order_by("due_at")
                    nxt = waiting.values_list("due_at", flat=True).first()
                    if nxt is None:
                        break
                    at = max(at, nxt)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    finally:
        sink.stop()
    assert not errors, errors
    subjects = Counter(m["Subject"] for m in sink.messages)
    assert len(subjects) == 1000
    assert max(subjects.values()) == 1  # no duplicates
    assert sum(delivered.values()) == 1000
    assert all(delivered[f"w{i}"] > 0 for i in range(2)), delivered  # both took a share
    assert Outbox.objects.filter(state=State.DONE).count() == 1000


def test_several_sending_threads_deliver_each_notification_once() -> None:
    sink = SmtpSink()
    sink.start()
    now = clock.now()
    enqueue_mails(200, key="threads", message_id="<t{}@h.test>", now=now)
    try:
        with override_settings(**sink.settings()):
            while sum(delivery.step(now=now, threads=4).values()):
                pass
    finally:
        sink.stop()
    subjects = Counter(m["Subject"] for m in sink.messages)
    assert len(subjects) == 200
    assert max(subjects.values()) == 1
    assert Outbox.objects.filter(state=State.DONE).count() == 200
