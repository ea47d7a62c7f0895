"""Subscribing to the status page (decision 0226): a merchant in one click, anyone by double
opt-in; the confirmation link used twice or tampered with; one-click unsubscribe and a link of
another address."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings

from helpline.outbox.models import Outbox
from helpline.subscriptions import links, services
from helpline.subscriptions.models import Subscription

pytestmark = pytest.mark.django_db

BASE = "https://help.example.test"


@pytest.fixture(autouse=True)
def _base_url() -> Any:
    with override_settings(BASE_URL=BASE):
        yield


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_merchant_follows_the_platform_and_a_store_in_one_click(cast: Any) -> None:
    client = _signed_in(cast.alice)
    assert client.post("/status/subscribe/", {"store": ""}).status_code == 302
    answer = client.post("/status/subscribe/", {"store": cast.acme_shoes.pk, "channel": "email"})
    assert answer.status_code == 302
    client.post("/status/subscribe/", {"store": cast.acme_shoes.pk})  # a second click: one row
    rows = Subscription.objects.filter(user=cast.alice).order_by("pk")
    assert [(r.store_id, r.address, r.confirmed_at is not None) for r in rows] == [
        (None, "alice@acme.test", True),
        (cast.acme_shoes.pk, "alice@acme.test", True),
    ]
    page = client.get("/status/").content.decode()
    assert "Acme Shoes" in page and "/status/subscriptions/" in page


def test_another_merchants_store_cannot_be_followed(cast: Any) -> None:
    answer = _signed_in(cast.alice).post("/status/subscribe/", {"store": cast.bolt_gadgets.pk})
    assert answer.status_code == 404
    assert not Subscription.objects.exists()


def test_whatsapp_needs_a_number(cast: Any) -> None:
    answer = _signed_in(cast.alice).post("/status/subscribe/", {"channel": "whatsapp"})
    assert answer.status_code == 422
    assert "WhatsApp number" in answer.content.decode()
    cast.alice.whatsapp = "+919800000001"
    cast.alice.save(update_fields=["whatsapp"])
    _signed_in(cast.alice).post("/status/subscribe/", {"channel": "whatsapp"})
    assert Subscription.objects.get().address == "+919800000001"


def _confirm_link() -> str:
    mail = Outbox.objects.get(kind="status_confirm")
    found = re.search(rf"{re.escape(BASE)}(/status/confirm/[^/\s]+/)", mail.payload["body"])
    assert found is not None
    return found.group(1)


def test_anyone_subscribes_by_double_opt_in_and_a_second_click_changes_nothing(db: Any) -> None:
    client = Client()
    answer = client.post("/status/subscribe/", {"address": " Reader@Example.test "})
    assert answer.status_code == 200 and "Check your mail" in answer.content.decode()
    row = Subscription.objects.get()
    assert (row.address, row.confirmed_at) == ("reader@example.test", None)
    link = _confirm_link()
    assert client.get(link).status_code == 200  # a button: a link checker confirms nothing
    assert Subscription.objects.get().confirmed_at is None
    assert "Subscribed" in client.post(link).content.decode()
    again = client.post(link)
    assert again.status_code == 200 and "Already confirmed" in again.content.decode()
    assert Subscription.objects.count() == 1 and Subscription.objects.get().confirmed_at


def test_a_tampered_confirmation_link_is_refused(db: Any) -> None:
    client = Client()
    client.post("/status/subscribe/", {"address": "reader@example.test"})
    link = _confirm_link()
    token = link.split("/")[3]
    forged = links.confirm_token(Subscription.objects.get().pk + 1, "reader@example.test")
    for bad in (link.replace(token, token[:-2] + "xx"), f"/status/confirm/{forged}/"):
        answer = client.post(bad)
        assert answer.status_code == 400
        assert "cannot be used" in answer.content.decode()
    assert Subscription.objects.get().confirmed_at is None


def test_a_bad_address_is_a_clear_error_and_writes_nothing(db: Any) -> None:
    answer = Client().post("/status/subscribe/", {"address": "not an address"})
    assert answer.status_code == 422
    assert "valid mail address" in answer.content.decode()
    assert not Subscription.objects.exists() and not Outbox.objects.exists()


def test_asking_again_while_following_sends_nothing(db: Any) -> None:
    services.subscribe_request(address="reader@example.test")
    row = Subscription.objects.get()
    services.subscribe_confirm(token=links.confirm_token(row.pk, row.address))
    services.subscribe_request(address="reader@example.test")
    assert Outbox.objects.filter(kind="status_confirm").count() == 1


def test_one_click_unsubscribe_without_a_csrf_token(cast: Any) -> None:
    mine = services.subscribe_user(user=cast.alice, store_id=None, channel="email")
    url = links.unsubscribe_url(mine.pk, mine.address).removeprefix(BASE)
    client = Client(enforce_csrf_checks=True)  # a mail client POSTs, as RFC 8058 says
    assert client.get(url).status_code == 200 and Subscription.objects.exists()
    answer = client.post(url, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert answer.status_code == 200 and "Unsubscribed" in answer.content.decode()
    assert not Subscription.objects.exists()
    assert client.post(url).status_code == 200  # again: nothing left, no error


def test_an_unsubscribe_link_of_another_address_is_refused(cast: Any) -> None:
    alice = services.subscribe_user(user=cast.alice, store_id=None, channel="email")
    bob = services.subscribe_user(user=cast.bob, store_id=None, channel="email")
    alices_signature = links.unsubscribe_signature(alice.pk, alice.address)
    answer = Client().post(f"/status/unsubscribe/{bob.pk}/{alices_signature}/")
    assert answer.status_code == 403
    wrong_address = links.unsubscribe_signature(bob.pk, alice.address)
    assert Client().post(f"/status/unsubscribe/{bob.pk}/{wrong_address}/").status_code == 403
    assert Subscription.objects.count() == 2


def test_one_client_address_asks_for_at_most_ten_subscriptions_an_hour(db: Any) -> None:
    client = Client()
    for n in range(10):
        assert (
            client.post("/status/subscribe/", {"address": f"r{n}@example.test"}).status_code == 200
        )
    refused = client.post("/status/subscribe/", {"address": "r10@example.test"})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert Subscription.objects.count() == 10
    assert Outbox.objects.filter(kind="status_confirm").count() == 10


def test_the_public_page_asks_by_mail_without_a_token_and_a_signed_in_post_needs_one(
    cast: Any,
) -> None:
    """The shared status page carries no CSRF token (it must set no cookie to be one copy for
    everyone, decision 0191): its form posts to the mail-only address, which needs none; a
    signed-in reader's one-click subscription still does."""
    strict = Client(enforce_csrf_checks=True)
    page = strict.get("/status/")
    assert not page.cookies and 'action="/status/subscribe/mail/"' in page.content.decode()
    answer = strict.post("/status/subscribe/mail/", {"address": "reader@example.test"})
    assert answer.status_code == 200 and "Check your mail" in answer.content.decode()
    assert Subscription.objects.filter(address="reader@example.test").count() == 1
    signed = Client(enforce_csrf_checks=True)
    signed.force_login(cast.alice)
    assert signed.post("/status/subscribe/", {"store": ""}).status_code == 403
    # A forged post to the token-free address subscribes a signed-in reader to nothing.
    forged = signed.post("/status/subscribe/mail/", {"store": "", "channel": "whatsapp"})
    assert forged.status_code == 302
    assert not Subscription.objects.filter(user=cast.alice).exists()
