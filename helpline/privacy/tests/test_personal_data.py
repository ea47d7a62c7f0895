"""Personal data on request: one zip with everything about a person; erasure puts a pseudonym
everywhere and keeps the tickets' history (and the ledger); retention of closed tickets and raw
mail, applied by the worker's daily job, with time-machine; each action audited."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline import cli, worker
from helpline.audit import chain
from helpline.audit.models import AuditEntry
from helpline.conftest import T0
from helpline.core.errors import NotFound
from helpline.mail import services as mail
from helpline.mail.models import InboundMail
from helpline.mail.tests.pipeline.mails import TRUSTED_MTA
from helpline.merchants import services as merchants
from helpline.privacy import services as privacy
from helpline.tickets import personal_data as ticket_data
from helpline.tickets import services as tickets
from helpline.tickets.attachments import Upload
from helpline.tickets.models import Attachment, Ticket, TicketEvent, TicketMessage

MAIL = (
    # As the support mailbox's own server hands it over, having checked the sender.
    f"Authentication-Results: {TRUSTED_MTA}; dmarc=pass header.from=acme.test\r\n".encode()
    + b"From: Alice <alice@acme.test>\r\nTo: support@helpline.invalid\r\n"
    b"Subject: Checkout is slow\r\nMessage-ID: <m1@acme.test>\r\n"
    b"Date: Mon, 07 Dec 2026 10:00:00 +0000\r\n\r\nHi, Alice here, call me on +91 98450 00000.\r\n"
)


@pytest.fixture
def alice_history(cast):
    cast.alice.phone = "+91 98450 00000"
    cast.alice.save()
    ticket = cast.ticket(subject="Alice's checkout fails", description="Alice: it 500s")
    shot = Upload(filename="error.png", content_type="image/png", data=b"\x89PNG alice")
    tickets.ticket_reply(
        actor=cast.alice, ticket=ticket, body="From alice@acme.test: see the shot", files=[shot],
        now=T0 + timedelta(minutes=5),
    )  # fmt: skip
    tickets.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="Thanks Alice, looking", now=T0 + timedelta(minutes=9)
    )
    tickets.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="internal: Alice is upset", internal=True,
        now=T0 + timedelta(minutes=10),
    )  # fmt: skip
    mail.mail_ingest(MAIL, source="cli", now=T0)
    return ticket


def test_export_is_one_zip_with_everything_about_the_person(cast, alice_history, tmp_path):
    path = privacy.personal_data_export(person="ALICE@acme.test", dest=tmp_path, actor=cast.ada)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("data.json"))
        shot = next(n for n in names if n.startswith("attachments/"))
        assert archive.read(shot) == b"\x89PNG alice"
        assert any(n.startswith("mail/") for n in names)
    assert data["profile"]["email"] == "alice@acme.test"
    assert data["profile"]["phone"] == "+91 98450 00000"
    subjects = {t["subject"] for t in data["tickets"]["tickets"]}
    assert "Alice's checkout fails" in subjects and "Checkout is slow" in subjects
    bodies = [m["body"] for m in data["tickets"]["messages"]]
    assert "Thanks Alice, looking" in bodies  # staff's public answers on her tickets
    assert "internal: Alice is upset" not in bodies  # internal notes are staff's
    assert data["mail_received"][0]["subject"] == "Checkout is slow"
    assert any(e["action"] == "create" for e in data["audit_entries"])  # her account's
    entry = AuditEntry.objects.filter(action="personal_data_export").get()
    assert (entry.actor_id, entry.subject_id) == (cast.ada.pk, cast.alice.pk)


def test_export_of_nobody_is_a_clear_error(cast, tmp_path):
    with pytest.raises(NotFound, match="nobody is known"):
        privacy.personal_data_export(person="who@nowhere.test", dest=tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert not AuditEntry.objects.filter(action="personal_data_export").exists()


def test_erasure_puts_a_pseudonym_everywhere_and_keeps_the_history(cast, alice_history):
    contact = merchants.contact_create(
        merchant=cast.acme, email="alice@acme.test", name="Alice Home", now=T0
    )
    events_before = TicketEvent.objects.filter(ticket=alice_history).count()
    messages_before = TicketMessage.objects.filter(ticket=alice_history).count()
    counts = privacy.personal_data_erase(person=str(cast.alice.pk), actor=cast.ada, now=T0)
    name = str(counts["pseudonym"])
    alice = type(cast.alice).objects.get(pk=cast.alice.pk)
    assert alice.email == f"{name}@erased.invalid" and alice.first_name == name
    assert (alice.phone, alice.is_active, alice.has_usable_password()) == ("", False, False)
    assert not alice.api_tokens.filter(revoked_at__isnull=True).exists()
    ticket = Ticket.objects.get(pk=alice_history.pk)
    assert "Alice" not in ticket.subject and name in ticket.subject
    texts = " ".join(TicketMessage.objects.filter(ticket=ticket).values_list("body", flat=True))
    assert "alice" not in texts.lower() and name in texts
    assert TicketMessage.objects.filter(ticket=ticket).count() == messages_before  # kept
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before + 1
    erased = TicketEvent.objects.get(ticket=ticket, kind="personal_data_erased")
    assert erased.actor_id == cast.ada.pk and (erased.after or {})["attachments"] == 1
    shot = Attachment.objects.get(ticket=ticket)
    assert not shot.file and "removed" in shot.filename
    contact.refresh_from_db()
    assert (contact.email, contact.name) == (f"{name}@erased.invalid", "")
    inbound = InboundMail.objects.get()
    assert inbound.raw is None and inbound.from_address == f"{name}@erased.invalid"
    entry = AuditEntry.objects.get(action="personal_data_erase")
    assert entry.subject_id == cast.alice.pk and entry.actor_id == cast.ada.pk
    assert chain.verify().ok
    # Done twice, nothing new is found under the old address.
    with pytest.raises(NotFound):
        privacy.personal_data_erase(person="alice@acme.test", now=T0)


def test_retention_removes_closed_tickets_content_and_raw_mail_daily(cast, alice_history, settings):
    settings.RETENTION_CLOSED_TICKET_DAYS = 30
    settings.MAIL_RAW_RETENTION_DAYS = 10
    tickets.ticket_resolve(actor=cast.ravi, ticket=alice_history, message="fixed", now=T0)
    tickets.ticket_close(actor=cast.alice, ticket=alice_history, rating=5, comment="Thanks!",
                         now=T0 + timedelta(hours=1))  # fmt: skip
    open_one = cast.ticket(subject="Still open", at=T0)
    with time_machine.travel(T0 + timedelta(days=29), tick=False):
        done = worker.retention_daily(now=T0 + timedelta(days=29))
    assert done == {"tickets": 0, "raw_mail": 1}  # the mail's 10 days have passed
    assert InboundMail.objects.get().raw is None
    assert Ticket.objects.get(pk=alice_history.pk).subject == "Alice's checkout fails"
    day31 = T0 + timedelta(days=31, hours=2)
    with time_machine.travel(day31, tick=False):
        assert worker.retention_daily(now=day31) == {"tickets": 1, "raw_mail": 0}
        assert worker.retention_daily(now=day31) is None  # once a day
    purged = Ticket.objects.get(pk=alice_history.pk)
    assert (
        purged.subject.startswith("[removed") and purged.rating == 5 and not purged.rating_comment
    )
    assert set(TicketMessage.objects.filter(ticket=purged).values_list("body", flat=True)) == {
        "[removed after the retention period]"
    }
    assert not Attachment.objects.get(ticket=purged).file
    assert TicketEvent.objects.filter(ticket=purged, kind="retention_purged").count() == 1
    assert Ticket.objects.get(pk=open_one.pk).subject == "Still open"
    assert privacy.retention_apply(now=day31 + timedelta(days=1)) == {"tickets": 0, "raw_mail": 0}
    assert AuditEntry.objects.filter(action="retention_purge").count() == 2


def test_the_running_worker_clears_raw_mail_in_the_audited_daily_job(cast, alice_history, settings):
    # The step that runs every second leaves raw mail alone: the daily retention clears it, so
    # the trail says how much went (it said nothing when each step cleared it unaudited).
    settings.MAIL_RAW_RETENTION_DAYS = 10
    day11 = T0 + timedelta(days=11)
    with time_machine.travel(day11, tick=False):
        worker.run_once(now=day11)
        assert InboundMail.objects.get().raw is not None
        assert worker.retention_daily(now=day11) == {"tickets": 0, "raw_mail": 1}
    assert InboundMail.objects.get().raw is None
    entry = AuditEntry.objects.get(action="retention_purge")
    assert json.loads(entry.after) == {"tickets": 0, "raw_mail": 1}


def test_retention_clears_every_raw_mail_due_a_batch_at_a_time(cast, settings, monkeypatch):
    settings.MAIL_RAW_RETENTION_DAYS = 10
    monkeypatch.setattr(privacy, "RAW_MAIL_BATCH", 2)
    for n in range(5):
        mail.mail_ingest(MAIL.replace(b"<m1@", f"<m{n}x@".encode()), source="cli", now=T0)
    assert privacy.retention_apply(now=T0 + timedelta(days=11))["raw_mail"] == 5
    assert not InboundMail.objects.filter(raw__isnull=False).exists()


def test_retention_purge_costs_the_same_whatever_the_number_of_messages(cast):
    counts = []
    for n in (1, 6):
        ticket = cast.ticket(subject=f"{n} replies", at=T0)
        for i in range(n):
            tickets.ticket_reply(
                actor=cast.ravi, ticket=ticket, body=f"reply {i}", now=T0 + timedelta(minutes=i)
            )
        tickets.ticket_resolve(actor=cast.ravi, ticket=ticket, message="fixed", now=T0)
        tickets.ticket_close(actor=cast.alice, ticket=ticket, now=T0 + timedelta(hours=1))
        with CaptureQueriesContext(connection) as queries:
            purged = ticket_data.retention_purge(
                closed_before=T0 + timedelta(days=1), now=T0 + timedelta(days=2)
            )
        assert purged == 1
        counts.append(len(queries))
    assert counts[0] == counts[1]  # the messages' text cleared in one UPDATE, not one each


def test_an_address_with_no_account_is_known_by_its_contact_row_or_its_mail(cast):
    merchants.contact_create(merchant=cast.acme, email="Kiran@Acme.test", name="Kiran", now=T0)
    assert privacy.subject("kiran@acme.test") == privacy.Subject("kiran@acme.test", None)
    stranger = MAIL.replace(b"alice@acme.test", b"sam@elsewhere.test")
    mail.mail_ingest(stranger.replace(b"<m1@", b"<m9@"), source="cli", now=T0)
    assert privacy.subject("SAM@elsewhere.test").email == "sam@elsewhere.test"
    with pytest.raises(NotFound):
        privacy.subject("nobody@elsewhere.test")


def test_the_cli_exports_and_refuses_to_erase_without_yes(cast, alice_history, tmp_path, capsys):
    dest = tmp_path / "alice.zip"
    assert cli.main(["personal-data", "export", "alice@acme.test", str(dest)]) == 0
    assert zipfile.is_zipfile(dest)
    assert cli.main(["personal-data", "export", "nobody@x.test", str(tmp_path / "n.zip")]) == 1
    assert "nobody is known" in capsys.readouterr().err
    assert cli.main(["personal-data", "erase", "alice@acme.test"]) == 2
    assert type(cast.alice).objects.get(pk=cast.alice.pk).email == "alice@acme.test"
    assert cli.main(["personal-data", "erase", "alice@acme.test", "--yes"]) == 0
    assert type(cast.alice).objects.filter(email="alice@acme.test").count() == 0
    erased = AuditEntry.objects.get(action="personal_data_erase")
    assert (erased.actor_id, erased.actor_label) == (None, "cli: helpline personal-data")


def test_the_admin_exports_one_person_as_a_zip(cast, alice_history):
    from django.test import Client

    client = Client()
    client.force_login(cast.ada)
    response = client.post(
        "/admin/privacy/person/",
        {"action": "export_zip", "_selected_action": [cast.alice.pk], "index": 0},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert AuditEntry.objects.filter(action="export", actor_id=cast.ada.pk).exists()
    assert AuditEntry.objects.filter(
        action="personal_data_export", subject_id=cast.alice.pk
    ).exists()


def test_a_status_subscriber_without_an_account_is_exported_and_erased(cast, tmp_path):
    from helpline.subscriptions import services as subscriptions

    subscriptions.subscribe_request(address="reader@example.test", now=T0)
    subscriptions.subscribe_user(user=cast.alice, store_id=None, channel="email", now=T0)
    dest = privacy.personal_data_export(person="reader@example.test", dest=tmp_path, now=T0)
    with zipfile.ZipFile(dest) as archive:
        data = json.loads(archive.read("data.json"))
    assert [s["address"] for s in data["status_subscriptions"]] == ["reader@example.test"]
    counts = privacy.personal_data_erase(person="reader@example.test", now=T0)
    assert counts["status_subscriptions"] == 1
    assert (
        privacy.personal_data_erase(person=str(cast.alice.pk), now=T0)["status_subscriptions"] == 1
    )
