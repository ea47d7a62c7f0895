"""Inbound WhatsApp through Meta's webhook: subscription check, signed payloads (shape of
Meta's Cloud API "messages" webhook), bad signatures, repeats, and where a message goes."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings

from helpline.conftest import T0, Cast
from helpline.outbox.models import WhatsAppInbound, WhatsAppWindow
from helpline.tickets import services as tickets
from helpline.tickets.models import Status, Ticket, TicketEvent, TicketMessage

pytestmark = pytest.mark.django_db
URL = "/api/v1/whatsapp/webhook"
SECRET = "meta-app-secret-for-tests"
VERIFY = "our-verify-token"
ALICE = "919800000001"


@pytest.fixture(autouse=True)
def _meta_settings(time_machine: Any) -> Iterator[None]:
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    with override_settings(WHATSAPP_APP_SECRET=SECRET, WHATSAPP_VERIFY_TOKEN=VERIFY):
        yield


def payload(*messages: dict[str, Any]) -> dict[str, Any]:
    """The body Meta posts for inbound messages (field "messages")."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": "1055",
                            },
                            "contacts": [{"profile": {"name": "Alice"}, "wa_id": ALICE}],
                            "messages": list(messages),
                        },
                    }
                ],
            }
        ],
    }


def text(wamid: str, body: str, sender: str = ALICE, at: Any = T0) -> dict[str, Any]:
    return {
        "from": sender,
        "id": wamid,
        "timestamp": str(int(at.timestamp())),
        "type": "text",
        "text": {"body": body},
    }


def post(body: dict[str, Any] | bytes, secret: str = SECRET, signature: str | None = None) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    if signature is None:
        signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return Client().post(
        URL, data=raw, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
    )


@pytest.fixture
def alice_ticket(cast: Cast) -> Ticket:
    cast.alice.whatsapp = "+" + ALICE
    cast.alice.save(update_fields=["whatsapp"])
    cast.ticket(subject="Older ticket", description="x", at=T0 - timedelta(days=1))
    return cast.ticket(subject="Checkout fails", description="Customers cannot pay.", at=T0)


def test_subscription_check_echoes_the_challenge_only_for_our_token() -> None:
    ok = Client().get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    for params in (
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
        {},
    ):
        refused = Client().get(URL, params)
        assert refused.status_code == 403
        assert refused.json()["code"] == "bad_verify_token"


def test_a_text_from_a_merchant_becomes_their_reply_on_the_newest_open_ticket(
    cast: Cast, alice_ticket: Ticket
) -> None:
    response = post(payload(text("wamid.HBgMOTE5ODAwMDAwMDAxFQIAEhgg", "Still failing")))
    assert response.status_code == 200, response.content
    assert response.json() == {"recorded": 1, "replies": 1}
    message = TicketMessage.objects.get(ticket=alice_ticket, body="Still failing")
    assert message.author_id == cast.alice.pk and not message.internal
    assert message.channel == "whatsapp"  # recorded as it came, not as an API call
    assert TicketEvent.objects.filter(ticket=alice_ticket, kind="message").exists()
    row = WhatsAppInbound.objects.get()
    assert (row.outcome, row.ticket_id, row.phone) == ("reply", alice_ticket.pk, "+" + ALICE)
    # The customer's 24-hour window is open from the message's own instant.
    assert WhatsAppWindow.objects.get(phone="+" + ALICE).last_inbound_at == T0


def test_the_same_message_twice_is_one_reply(alice_ticket: Ticket) -> None:
    body = payload(text("wamid.REPEAT", "Any news?"))
    assert post(body).json() == {"recorded": 1, "replies": 1}
    again = post(body)
    assert again.status_code == 200
    assert again.json() == {"recorded": 0, "replies": 0}
    assert TicketMessage.objects.filter(ticket=alice_ticket, body="Any news?").count() == 1
    assert WhatsAppInbound.objects.count() == 1


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "sha256=",
        "sha256=" + "0" * 64,
        "sha1=abc",
        "sha256=" + hmac.new(b"another-secret", b"{}", hashlib.sha256).hexdigest(),
    ],
)
def test_a_bad_signature_is_403_and_nothing_is_recorded(
    alice_ticket: Ticket, signature: str
) -> None:
    response = post(payload(text("wamid.BAD", "forged")), signature=signature)
    assert response.status_code == 403
    assert response.json()["code"] == "bad_signature"
    assert not WhatsAppInbound.objects.exists()
    assert not WhatsAppWindow.objects.exists()
    assert not TicketMessage.objects.filter(body="forged").exists()


def test_signed_with_the_wrong_secret_or_a_changed_body_is_refused(alice_ticket: Ticket) -> None:
    assert post(payload(text("wamid.X", "forged")), secret="not-ours").status_code == 403
    raw = json.dumps(payload(text("wamid.Y", "original"))).encode()
    good = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    tampered = raw.replace(b"original", b"tampered")
    assert post(tampered, signature=good).status_code == 403
    assert not WhatsAppInbound.objects.exists()


def test_without_an_app_secret_everything_is_refused(alice_ticket: Ticket) -> None:
    with override_settings(WHATSAPP_APP_SECRET=""):
        assert post(payload(text("wamid.Z", "hello"))).status_code == 403
    assert not WhatsAppInbound.objects.exists()


def test_strangers_media_and_merchants_without_open_tickets_are_recorded_and_ignored(
    cast: Cast, alice_ticket: Ticket
) -> None:
    image = {
        "from": ALICE,
        "id": "wamid.IMG",
        "timestamp": str(int(T0.timestamp())),
        "type": "image",
        "image": {"id": "1479537139650973", "mime_type": "image/jpeg"},
    }
    response = post(payload(text("wamid.STRANGER", "hi", sender="447700900123"), image))
    assert response.json() == {"recorded": 2, "replies": 0}
    reasons = dict(WhatsAppInbound.objects.values_list("message_id", "reason"))
    assert reasons["wamid.STRANGER"] == "no merchant user has this WhatsApp number"
    assert reasons["wamid.IMG"].startswith("only text messages")
    # Both opened their windows (Meta's rule counts any inbound message).
    assert WhatsAppWindow.objects.count() == 2
    # Alice with every ticket closed: recorded, ignored.
    for ticket in Ticket.objects.filter(requester=cast.alice):
        tickets.ticket_withdraw(actor=cast.alice, ticket=ticket)
    assert post(payload(text("wamid.LATE", "thanks"))).json() == {"recorded": 1, "replies": 0}
    late = WhatsAppInbound.objects.get(message_id="wamid.LATE")
    assert (late.outcome, late.reason) == ("ignored", "the sender has no open ticket")
    assert not TicketMessage.objects.filter(body="thanks").exists()
    assert set(Ticket.objects.values_list("status", flat=True)) == {Status.CLOSED}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        json.dumps({"object": "page", "entry": []}).encode(),
        json.dumps(payload({"from": ALICE, "id": "wamid.T", "type": "text"})).encode(),
        json.dumps(payload({**text("wamid.N", "x"), "timestamp": "soon"})).encode(),
        json.dumps(payload({**text("wamid.P", "x"), "from": "+91 phone"})).encode(),
    ],
)
def test_a_signed_but_malformed_body_is_a_clear_error_and_nothing_is_recorded(
    alice_ticket: Ticket, body: bytes
) -> None:
    response = post(body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_webhook"
    assert not WhatsAppInbound.objects.exists()


def test_status_updates_are_accepted_and_change_nothing(alice_ticket: Ticket) -> None:
    body = payload()
    body["entry"][0]["changes"][0]["value"] = {
        "messaging_product": "whatsapp",
        "statuses": [{"id": "wamid.OUT", "status": "delivered", "timestamp": "1764000000"}],
    }
    assert post(body).json() == {"recorded": 0, "replies": 0}
    assert not WhatsAppInbound.objects.exists()
