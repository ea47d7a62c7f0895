"""The WhatsApp Cloud API channel (template outside the customer's window, free text inside)
against a real stand-in on loopback."""

from __future__ import annotations

import pytest
from django.db import transaction

from helpline.conftest import T0
from helpline.core import clock
from helpline.outbox import delivery, services
from helpline.outbox.models import Outbox, State
from helpline.outbox.tests.servers import Receiver, http_receiver

pytestmark = pytest.mark.django_db


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
