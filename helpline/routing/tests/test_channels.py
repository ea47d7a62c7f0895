"""Every door a ticket comes in by routes it: the portal, the API, mail, WhatsApp, the store
monitor — all go through ``tickets.services.ticket_create`` and its listeners."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client, override_settings

from helpline.conftest import T0
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail
from helpline.monitoring import engine
from helpline.monitoring import services as monitoring
from helpline.monitoring.tests.conftest import loopback, site
from helpline.tickets.models import Ticket, TicketEvent

__all__ = ["loopback", "site"]
S = timedelta(seconds=1)


def owned(ticket: Ticket, cast: Any) -> None:
    ticket.refresh_from_db()
    assert ticket.assignee_id in (cast.ravi.pk, cast.lena.pk)
    assert ticket.team_id == cast.team.pk
    event = TicketEvent.objects.get(ticket=ticket, kind="assignee")
    assert event.reason.startswith("auto: ")


def test_the_portal(desk: Any, time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    client = Client()
    client.force_login(desk.alice)
    data = {
        "store": desk.acme_shoes.pk,
        "issue_type": "functionality",
        "priority": "C3",
        "subject": "Filters broken",
        "description": "The size filter shows nothing.",
    }
    assert client.post("/support/new/", data).status_code == 302
    owned(Ticket.objects.get(channel="portal"), desk)


def test_the_api(desk: Any, time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    body = {
        "store": desk.acme_shoes.pk,
        "subject": "Checkout fails",
        "description": "Cards are declined.",
        "issue_type": "feature-broken",
    }
    response = desk.api("alice").post("tickets", body)
    assert response.status_code == 201
    owned(Ticket.objects.get(channel="api"), desk)


def test_mail_from_a_contact_and_from_an_unknown_sender(desk: Any, tmp_path: Any) -> None:
    with override_settings(
        SUPPORT_ADDRESS="Helpline <support@helpline.test>",
        MEDIA_ROOT=str(tmp_path),
        MAIL_UNKNOWN_SENDERS="triage",
    ):
        result = mail_ingest(mail(subject="Refund report wrong"), source="cli", now=T0)
        assert result.outcome == "ticket", result
        owned(Ticket.objects.get(channel="email"), desk)
        mail_ingest(
            mail(sender="forged@bolt.test", subject="System Down"), source="cli", now=T0 + S
        )
    forged = Ticket.objects.get(channel="email", unverified_sender=True)
    owned(forged, desk)


def test_whatsapp(desk: Any) -> None:
    # The WhatsApp door answers tickets (a reply joins the newest open one); a ticket opened
    # with that channel is routed like any other.
    owned(desk.ticket(at=T0, channel="whatsapp"), desk)


def test_the_store_monitor(desk: Any, site: Any, loopback: Any) -> None:
    monitoring.monitor_create(store=desk.acme_shoes, url=site.url, now=T0)
    engine.probe_step(now=T0, worker="test")
    site.down()
    at = T0 + 60 * S
    for _ in range(3):
        engine.probe_step(now=at, worker="test")
        at += 5 * S
    owned(Ticket.objects.get(channel="monitor"), desk)
