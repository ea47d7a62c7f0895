"""Webhooks (signed, idempotency key), the WhatsApp Cloud API (template or free text) and the
guarded HTTP client, against real receivers on loopback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from helpline.conftest import T0
from helpline.core import clock, http
from helpline.outbox import delivery, services
from helpline.outbox.models import Outbox, State
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


def whatsapp(n: int = 1, phone: str = "+919800000001") -> None:
    with transaction.atomic():
        for i in range(n):
            services.enqueue(
                channel="whatsapp",
                kind="sla_breached",
                recipient=phone,
                payload={
                    "text": f"HL-{i} breached",
                    "template": {"name": "helpline_ticket_update", "params": [f"HL-{i}", "x"]},
                },
                idempotency_key=f"ev{i}.whatsapp.u1",
                now=T0,
            )


def test_whatsapp_template_outside_the_window_text_inside(
    loopback_allowed, whatsapp_settings
) -> None:
    receiver = Receiver()
    with http_receiver(receiver) as base, whatsapp_settings(base):
        whatsapp(1)
        delivery.step(now=T0)
        services.whatsapp_inbound_seen(phone="+919800000001", at=clock.now())
        with transaction.atomic():
            services.enqueue(
                channel="whatsapp",
                kind="message",
                recipient="+919800000001",
                payload={"text": "We fixed it", "template": {"name": "t", "params": []}},
                idempotency_key="ev9.whatsapp.u1",
                now=T0,
            )
        delivery.step(now=T0)
    template, text = (b["json"] for b in receiver.bodies)
    assert receiver.bodies[0]["path"] == "/1055/messages"
    assert receiver.bodies[0]["headers"]["Authorization"] == "Bearer test-token"
    assert template["type"] == "template"
    assert template["to"] == "919800000001"
    assert template["template"]["name"] == "helpline_ticket_update"
    assert template["template"]["components"][0]["parameters"][0] == {
        "type": "text",
        "text": "HL-0",
    }
    assert text["type"] == "text"
    assert text["text"]["body"] == "We fixed it"


def test_whatsapp_without_settings_waits(db) -> None:
    whatsapp(1)
    assert delivery.step(now=T0) == {"pending": 1}
    assert "not configured" in Outbox.objects.get().last_error
    assert Outbox.objects.get().state == State.PENDING
