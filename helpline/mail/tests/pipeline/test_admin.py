"""The quarantine in the Django admin: listed, made a ticket or discarded by actions."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from helpline.mail.models import InboundMail, Outcome
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail
from helpline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_quarantine_in_the_admin(cast):
    with override_settings(MAIL_UNKNOWN_SENDERS="quarantine"):
        keep = mail_ingest(mail(sender="new@bolt.test", subject="hello there"), source="cli")
        drop = mail_ingest(mail(sender="spam@nowhere.test", subject="buy now"), source="cli")
    client = Client()
    cast.ada.set_password("admin-pass-123")
    cast.ada.save(update_fields=["password"])
    assert client.login(email="ada@helpline.test", password="admin-pass-123")
    page = client.get("/admin/mail/inboundmail/?status__exact=quarantined")
    assert page.status_code == 200 and b"spam@nowhere.test" in page.content
    assert client.get(f"/admin/mail/inboundmail/{keep.inbound_id}/change/").status_code == 200
    url = "/admin/mail/inboundmail/"
    client.post(url, {"action": "make_ticket", "_selected_action": [keep.inbound_id]})
    client.post(url, {"action": "discard", "_selected_action": [drop.inbound_id]})
    ticket = Ticket.objects.get()
    assert ticket.store_id == cast.bolt_gadgets.pk and ticket.unverified_sender
    assert InboundMail.objects.get(pk=drop.inbound_id or 0).status == Outcome.DISCARDED
