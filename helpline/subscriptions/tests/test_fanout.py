"""An incident's change reaches every live subscriber through the outbox: one row each, in a
few bulk INSERTs, keyed so that a repeat writes none; mail read back from a real SMTP server on
loopback carries the RFC 8058 one-click headers; three bounces drop an address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from helpline.conftest import T0
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import TRUSTED_MTA
from helpline.monitoring import services as monitoring
from helpline.monitoring import status_changes
from helpline.monitoring.models import Outage
from helpline.outbox import delivery
from helpline.outbox.conftest import smtp  # noqa: F401 - the real SMTP server (a fixture)
from helpline.outbox.models import Outbox
from helpline.subscriptions import links
from helpline.subscriptions.models import Subscription

pytestmark = pytest.mark.django_db
BASE = "https://help.example.test"


@pytest.fixture(autouse=True)
def _settings() -> Any:
    with override_settings(BASE_URL=BASE, SUPPORT_ADDRESS="Helpline <support@helpline.test>"):
        yield


def _readers(count: int, *, store: Any = None, **more: Any) -> list[Subscription]:
    rows = [
        Subscription(
            channel="email",
            address=f"reader{n}{'s' if store else ''}@example.test",
            store=store,
            created_at=T0,
            confirmed_at=more.get("confirmed_at", T0),
        )
        for n in range(count)
    ]
    return Subscription.objects.bulk_create(rows)


def _incident_queries(title: str) -> int:
    with CaptureQueriesContext(connection) as seen:
        monitoring.incident_open(title=title, now=T0)
    return len(seen.captured_queries)


def test_an_incident_reaches_every_live_platform_subscriber_once(cast: Any) -> None:
    live = _readers(5)
    _readers(2, store=cast.acme_shoes)  # a store's subscribers hear of that store only
    Subscription.objects.create(
        channel="email", address="pending@example.test", created_at=T0
    )  # never confirmed
    Subscription.objects.create(
        channel="email",
        address="gone@example.test",
        created_at=T0,
        confirmed_at=T0,
        dropped_at=T0,
    )
    incident = monitoring.incident_open(title="Checkout down", now=T0)
    rows = Outbox.objects.filter(kind="status_incident_opened")
    assert sorted(rows.values_list("recipient", flat=True)) == sorted(s.address for s in live)
    assert all(r.due_at == T0 for r in rows)  # due at once: the worker's next step sends it
    with transaction.atomic():  # the same change told again (a re-run): nothing new
        status_changes.incident_opened(incident, now=T0 + timedelta(seconds=5))
    assert Outbox.objects.filter(kind="status_incident_opened").count() == 5


def test_the_fan_out_costs_the_same_queries_for_20_or_600_subscribers(cast: Any) -> None:
    _readers(20)
    few = _incident_queries("First")
    Subscription.objects.all().delete()
    _readers(600)
    many = _incident_queries("Second")
    assert Outbox.objects.filter(kind="status_incident_opened").count() == 620
    # bulk INSERTs of SQLite's batch size, never one per subscriber
    assert many - few <= 600 // 50
    assert many < 40


def test_mail_carries_one_click_unsubscribe_and_the_status_page(cast: Any, smtp: Any) -> None:  # noqa: F811
    (reader,) = _readers(1)
    incident = monitoring.incident_open(title="Checkout down", now=T0)
    status_changes.incident_update(incident=incident, update="Payments recover.", now=T0)
    monitoring.incident_resolve(incident=incident, now=T0 + timedelta(minutes=30))
    done = delivery.step(now=T0 + timedelta(minutes=31), worker="test")
    assert done["done"] == 3
    subjects = [m["Subject"] for m in smtp.messages]
    assert subjects == [
        "Incident: Checkout down",
        "Update on the incident: Checkout down",
        "Resolved: Checkout down",
    ]
    url = links.unsubscribe_url(reader.pk, reader.address)
    for message in smtp.messages:
        assert message["List-Unsubscribe"].strip() == f"<{url}>"  # folded: one long line
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        body = message.get_content()
        assert url in body and f"{BASE}/status/" in body
    assert "Payments recover." in smtp.messages[1].get_content()


def test_a_store_outage_reaches_that_stores_subscribers(cast: Any) -> None:
    cast.alice.whatsapp = "+919800000001"
    cast.alice.save(update_fields=["whatsapp"])
    from helpline.subscriptions import services

    services.subscribe_user(user=cast.alice, store_id=cast.acme_shoes.pk, channel="whatsapp")
    services.subscribe_user(user=cast.bob, store_id=cast.bolt_gadgets.pk, channel="email")
    monitor = monitoring.monitor_create(
        store=cast.acme_shoes, url="https://shoes.acme.test", now=T0
    )
    with transaction.atomic():
        outage = Outage.objects.create(
            monitor=monitor, store=cast.acme_shoes, started_at=T0, confirmed_at=T0
        )
        status_changes.outage_started(outage, now=T0)
    (row,) = Outbox.objects.filter(kind="status_outage_started")
    assert (row.channel, row.recipient) == ("whatsapp", "+919800000001")
    assert "Acme Shoes" in row.payload["text"] and "/status/unsubscribe/" in row.payload["text"]


def _bounce(address: str, n: int) -> bytes:
    """A delivery-status report (RFC 3464) as an MTA sends it back."""
    return (
        f"Authentication-Results: {TRUSTED_MTA}; dmarc=pass header.from=mx.example.test\r\n"
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.test>\r\n"
        "To: support@helpline.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce{n}@mx.example.test>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.test\r\n\r\n"
        f"Final-Recipient: rfc822; {address}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B--\r\n"
    ).encode()


def test_three_bounces_drop_an_address_and_a_broken_bounce_loses_nothing(cast: Any) -> None:
    reader, other = _readers(2)
    for n in range(2):
        mail_ingest(_bounce(reader.address, n), source="test", now=T0)
    reader.refresh_from_db()
    assert (reader.bounces, reader.dropped_at) == (2, None)
    broken = b"From: MAILER-DAEMON@mx.example.test\r\nSubject: Delivery Status Notification\r\n"
    assert mail_ingest(broken + b"\r\n\x00\xff", source="test", now=T0).outcome == "ignored"
    mail_ingest(_bounce(reader.address, 2), source="test", now=T0)
    mail_ingest(_bounce(reader.address, 2), source="test", now=T0)  # the same bounce again
    reader.refresh_from_db()
    assert (reader.bounces, reader.dropped_at) == (3, T0)
    monitoring.incident_open(title="Checkout down", now=T0)
    told = Outbox.objects.filter(kind="status_incident_opened")
    assert list(told.values_list("recipient", flat=True)) == [other.address]
