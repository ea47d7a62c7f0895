"""Webhooks (signed, idempotency key) and the guarded HTTP client they go through, against a
real receiver on loopback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from helpline.conftest import T0
from helpline.core import http
from helpline.outbox import delivery, services
from helpline.outbox.models import Outbox
from helpline.outbox.tests.servers import Receiver, http_receiver

pytestmark = pytest.mark.django_db
SECRET = "a-shared-secret-of-some-length"


def webhook(endpoint_id: int, url: str, n: int = 1) -> None:
    with transaction.atomic():
        for i in range(n):
            services.enqueue(
                channel="webhook",
                kind="sla_breached",
                recipient=url,
                payload={"endpoint_id": endpoint_id, "body": {"event": "sla_breached", "n": i}},
                idempotency_key=f"ev{i}.webhook.{endpoint_id}",
                now=T0,
            )


def test_webhook_is_signed_and_carries_its_idempotency_key(loopback_allowed) -> None:
    receiver = Receiver(secret=SECRET)
    with http_receiver(receiver) as base:
        endpoint = services.webhook_endpoint_create(name="in", url=f"{base}/hook", secret=SECRET)
        webhook(endpoint.pk, endpoint.url, 3)
        assert delivery.step(now=T0) == {"done": 3}
    assert receiver.bad_signatures == 0
    assert sorted(receiver.accepted) == [f"ev{i}.webhook.{endpoint.pk}" for i in range(3)]
    first = receiver.bodies[0]
    assert first["path"] == "/hook"
    assert first["headers"]["X-Helpline-Signature"].startswith("v1=")


def test_a_wrong_secret_is_refused_by_the_receiver_and_dead_lettered(loopback_allowed) -> None:
    receiver = Receiver(secret="the-receivers-own-secret")
    with http_receiver(receiver) as base:
        endpoint = services.webhook_endpoint_create(name="in", url=base, secret=SECRET)
        webhook(endpoint.pk, endpoint.url)
        assert delivery.step(now=T0) == {"dead": 1}
    assert receiver.bad_signatures == 1
    assert "401" in Outbox.objects.get().last_error


def test_webhook_5xx_is_retried(loopback_allowed) -> None:
    receiver = Receiver(secret=SECRET, fail_first=1)
    with http_receiver(receiver) as base:
        endpoint = services.webhook_endpoint_create(name="in", url=base, secret=SECRET)
        webhook(endpoint.pk, endpoint.url)
        assert delivery.step(now=T0) == {"pending": 1}
        assert delivery.step(now=T0 + timedelta(seconds=30)) == {"done": 1}
    assert receiver.calls == 2
    assert len(receiver.accepted) == 1


def test_loopback_is_refused_unless_allowed(db) -> None:
    receiver = Receiver(secret=SECRET)
    with http_receiver(receiver) as base:
        endpoint = services.webhook_endpoint_create(name="in", url=base, secret=SECRET)
        webhook(endpoint.pk, endpoint.url)
        assert delivery.step(now=T0) == {"dead": 1}
    assert receiver.calls == 0
    assert "not allowed" in Outbox.objects.get().last_error


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "0.0.0.0"],  # noqa: S104
)
def test_private_addresses_are_refused(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(http.AddressRefused):
        http.request("GET", f"http://{host}:9/", allow_private=False, timeout=1)


def test_every_request_has_a_timeout() -> None:
    with pytest.raises(ValueError, match="timeout"):
        http.request("GET", "http://example.test/", timeout=0, allow_private=False)
