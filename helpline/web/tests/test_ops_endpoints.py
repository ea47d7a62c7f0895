"""/healthz, /readyz and /metrics (``helpline.web.ops``), the heartbeat in the admin and the
doctor's storage check: an operator's view of one installation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import time_machine
from django.core.files.storage import FileSystemStorage
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from helpline import health
from helpline.core import heartbeat
from helpline.mail.models import InboundMail
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import TRUSTED_MTA
from helpline.outbox.models import Outbox, State
from helpline.outbox.services import enqueue

TOKEN = "t" * 32
NOW = datetime(2026, 12, 8, 6, 30, tzinfo=UTC)  # Tue 8 Dec 2026, 12:00 IST


def scrape(client: Client) -> dict[str, float]:
    """The scrape, parsed by prometheus_client's own parser: ``name{label=value}`` → value."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            out[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return out


def test_healthz_answers_without_database_session_or_rate_limit(
    db, settings, django_assert_num_queries
) -> None:
    client = Client()
    with django_assert_num_queries(0):
        for _ in range(300):  # far past every rate limit
            response = client.get("/healthz")
            assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "Set-Cookie" not in response
    assert response["Cache-Control"] == "no-store"
    # A load balancer asks by address: no host check stands in its way.
    assert Client(HTTP_HOST="10.1.2.3").get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_readyz_checks_database_and_storage(db) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": True, "storage": True}}
    assert "Set-Cookie" not in response


def test_readyz_says_not_ready_when_storage_refuses_a_write(db, settings, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {"database": True, "storage": False},
    }


def test_doctor_names_the_storage_operation_and_permission_that_fail(
    db, settings, tmp_path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    check = health.storage()
    assert not check.ok
    assert check.detail.startswith(f"FileSystemStorage {blocker / 'media'}: cannot write (")
    assert "grant write permission (s3:PutObject on an S3 bucket)" in check.detail


def test_doctor_storage_check_leaves_nothing_behind(db, settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    check = health.storage()
    assert check.ok, check.detail
    assert check.detail == f"FileSystemStorage {tmp_path / 'media'}: write, read and delete work"
    assert [p for p in (tmp_path / "media").rglob("*") if p.is_file()] == []
    assert FileSystemStorage(location=tmp_path / "media").listdir(health.PROBE_PREFIX)[1] == []


def test_metrics_are_never_public(db, settings) -> None:
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert Client().get("/metrics").status_code == 401
    wrong = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer " + "x" * 32)
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"helpline_" not in wrong.content


def _mail(sender: str, subject: str) -> bytes:
    message = EmailMessage()
    # As the support mailbox's own server hands it over, having checked the sender.
    message["Authentication-Results"] = (
        f"{TRUSTED_MTA}; dmarc=pass header.from={sender.partition('@')[2]}"
    )
    message["From"] = sender
    message["To"] = "support@helpline.test"
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@example.test>"
    message.set_content("The checkout page shows an error.")
    return bytes(message)


def _outbox(kind: str, key: str, *, state: str, due_at: datetime) -> None:
    enqueue(
        channel="email",
        kind=kind,
        recipient="ravi@helpline.test",
        payload={},
        idempotency_key=key,
        now=due_at,
        due_at=due_at,
    )
    if state != State.PENDING:
        Outbox.objects.filter(idempotency_key=key).update(
            state=state, done_at=due_at if state == State.DONE else None
        )


def test_metrics_figures_match_the_database(cast, settings, django_assert_max_num_queries) -> None:
    settings.METRICS_TOKEN = TOKEN
    settings.MAIL_UNKNOWN_SENDERS = "quarantine"
    _outbox("sla_warning", "w1", state=State.DONE, due_at=NOW - timedelta(hours=3))
    _outbox("sla_warning", "w2", state=State.DONE, due_at=NOW - timedelta(hours=2))
    _outbox("sla_breached", "b1", state=State.DONE, due_at=NOW - timedelta(hours=2))
    _outbox("sla_breached", "b2", state=State.DEAD, due_at=NOW - timedelta(hours=2))
    _outbox("reply", "r1", state=State.PENDING, due_at=NOW - timedelta(minutes=7))
    _outbox("reply", "r2", state=State.PENDING, due_at=NOW + timedelta(minutes=30))
    mail_ingest(_mail("alice@acme.test", "Checkout down"), source="cli", now=NOW)
    mail_ingest(_mail("stranger@elsewhere.test", "Hello there"), source="cli", now=NOW)
    heartbeat.stamp("worker", now=NOW - timedelta(seconds=40))

    client = Client()
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(7):
        figures = scrape(client)

    waiting = Outbox.objects.filter(state__in=[State.PENDING, State.SENDING])
    assert figures["helpline_outbox_depth"] == waiting.count()
    assert figures["helpline_outbox_oldest_due_age_seconds"] == 7 * 60
    assert figures["helpline_outbox_dead_letters"] == Outbox.objects.filter(state="dead").count()
    sent = Outbox.objects.filter(state=State.DONE)
    assert (
        figures["helpline_sla_notices_sent_total{kind=warning}"]
        == sent.filter(kind="sla_warning").count()
    )
    assert figures["helpline_sla_notices_sent_total{kind=breach}"] == 1
    for outcome in ("ticket", "quarantined", "reply"):
        assert figures[f"helpline_mail_ingested_total{{outcome={outcome}}}"] == (
            InboundMail.objects.filter(status=outcome).count()
        )
    assert figures["helpline_mail_ingested_total{outcome=quarantined}"] == 1
    assert figures["helpline_worker_heartbeat_age_seconds"] == 40


def test_request_latency_is_per_route_name_not_per_url(cast, settings) -> None:
    settings.METRICS_TOKEN = TOKEN
    client = Client()
    client.force_login(cast.alice)
    before = scrape(client)
    route = (
        "helpline_http_request_duration_seconds_count"
        "{method=GET,route=web:support-ticket,status=4xx"
    )
    for ticket_id in (91, 92, 93):  # three URLs of one route (404s: no such tickets)
        client.get(f"/support/t/{ticket_id}/")
    after = scrape(client)
    counted = {k: v for k, v in after.items() if k.startswith(route)}
    assert sum(counted.values()) - sum(v for k, v in before.items() if k.startswith(route)) == 3
    assert not any("/91/" in key for key in after)


def test_the_worker_heartbeat_is_in_the_admin_in_the_admins_zone(cast, settings) -> None:
    from helpline.accounts.models import User

    User.objects.filter(pk=cast.ada.pk).update(time_zone="Asia/Kolkata")
    heartbeat.stamp("worker", now=NOW - timedelta(minutes=3))
    client = Client()
    client.force_login(User.objects.get(pk=cast.ada.pk))
    with time_machine.travel(NOW, tick=False):
        listed = client.get("/admin/core/heartbeat/").content.decode()
    assert "Tue 8 Dec 2026, 11:57 IST" in listed
    assert "3 min ago" in listed
    assert "Times on this page are in Asia/Kolkata." in listed
    assert client.get("/admin/core/heartbeat/add/").status_code == 403
