"""The inbound endpoint (raw MIME with a shared secret) and the quarantine in the API."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from helpline.mail.models import InboundMail
from helpline.mail.tests.pipeline.mails import mail
from helpline.tickets.models import Ticket

pytestmark = pytest.mark.django_db
SECRET = "a-long-shared-secret-for-the-provider"
URL = "/api/v1/mail/inbound"


def post(raw: bytes, secret: str | None = SECRET):
    headers = {"X-Helpline-Inbound-Secret": secret} if secret is not None else {}
    return Client().post(URL, data=raw, content_type="message/rfc822", headers=headers)


@override_settings(MAIL_INBOUND_SECRET=SECRET)
def test_provider_posts_raw_mime_and_gets_the_outcome(cast):
    response = post(mail(subject="C2 checkout failing"))
    assert response.status_code == 200
    body = response.json()
    ticket = Ticket.objects.get()
    assert body["outcome"] == "ticket" and body["reference"] == ticket.reference
    assert ticket.priority == "C2"
    assert InboundMail.objects.get().source == "http"
    garbage = post(b"\x00\xff garbage")
    assert garbage.status_code == 200 and garbage.json()["outcome"] == "quarantined"


@override_settings(MAIL_INBOUND_SECRET=SECRET, MAIL_MAX_BYTES=4 * 1024 * 1024)
def test_a_mail_larger_than_djangos_body_limit_is_taken(cast):
    # 2 MB base64-encoded: 2.8 MB, past Django's 2.5 MB request.body limit.
    raw = mail(attachments=[("big.pdf", "application/pdf", b"%PDF" + b"0" * (2 * 1024 * 1024))])
    response = post(raw)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "ticket", response.json()


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
def test_wrong_or_missing_secret_is_refused_and_nothing_stored(cast, secret):
    with override_settings(MAIL_INBOUND_SECRET=SECRET):
        response = post(mail(), secret=secret)
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert InboundMail.objects.count() == 0


def test_endpoint_refuses_everyone_when_no_secret_is_set(cast):
    with override_settings(MAIL_INBOUND_SECRET=""):
        assert post(mail(), secret="").status_code == 401


def test_quarantine_in_the_api(cast):
    with override_settings(MAIL_UNKNOWN_SENDERS="quarantine", MAIL_INBOUND_SECRET=SECRET):
        post(mail(sender="new@bolt.test"))
        post(mail(sender="spam@nowhere.test"))
    agent, merchant = cast.api("ravi"), cast.api("alice")
    assert merchant.get("mail/quarantine").status_code == 403
    assert cast.api("maya").get("mail/quarantine").status_code == 403
    rows = agent.get("mail/quarantine").json_body
    assert [(r["from_address"], r["reason"]) for r in rows] == [
        ("spam@nowhere.test", "unknown sender"),
        ("new@bolt.test", "unknown sender"),
    ]
    spam, new = rows[0]["id"], rows[1]["id"]
    refused = agent.post(f"mail/quarantine/{spam}/ticket", {})
    assert refused.status_code == 422 and refused.json_body["code"] == "store_required"
    made = agent.post(f"mail/quarantine/{spam}/ticket", {"store_id": cast.acme_outlet.pk})
    assert made.status_code == 200
    ticket = Ticket.objects.get(pk=made.json_body["id"])
    assert ticket.store_id == cast.acme_outlet.pk and ticket.unverified_sender
    gone = agent.post(f"mail/quarantine/{new}/discard", {"reason": "not ours"})
    assert gone.json_body == {"id": new, "status": "discarded"}
    assert agent.post(f"mail/quarantine/{new}/discard", {}).status_code == 404
    assert agent.get("mail/quarantine").json_body == []
