"""What is recorded without anybody calling the audit: configuration changes from every door
(services, the admin), sign-ins and failed sign-ins with address and browser, exports; what an
admin sees (times in their zone) and exports; ``helpline audit verify``; the worker's nightly
check telling the admins of a break."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client

from helpline import cli, worker
from helpline.accounts import services as accounts
from helpline.audit import chain
from helpline.audit.models import AuditEntry
from helpline.conftest import T0
from helpline.monitoring import services as monitoring
from helpline.outbox import services as outbox
from helpline.outbox.models import Outbox
from helpline.sla import defaults
from helpline.sla.models import Calendar
from helpline.tickets import holidays
from helpline.web.tests.browser import PASSWORD

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AuditTest/1.0"


def _last(**filters) -> AuditEntry:
    entry = AuditEntry.objects.filter(**filters).order_by("-seq").first()
    assert entry is not None, filters
    return entry


def test_role_token_team_holiday_webhook_and_monitor_changes_are_recorded(cast):
    ravi = cast.ravi
    ravi.role = "admin"
    ravi.save()
    entry = _last(object_type="accounts.User", object_id=str(ravi.pk), action="change")
    assert json.loads(entry.before) == {"role": "agent"}
    assert json.loads(entry.after)["role"] == "admin" and entry.subject_id == ravi.pk

    ravi.set_password("a-new-long-password")
    ravi.save()
    entry = _last(object_type="accounts.User", action="change")
    assert json.loads(entry.after)["password"] == "[redacted]"
    assert "pbkdf2" not in entry.before + entry.after  # the hash never leaves

    token, raw = accounts.token_create(user=ravi, now=T0)
    entry = _last(object_type="accounts.ApiToken", action="create")
    assert (
        entry.subject_id == ravi.pk and raw not in entry.after and token.digest not in entry.after
    )
    accounts.token_authenticate(raw, now=T0 + timedelta(minutes=1))  # last use: bookkeeping
    assert _last(object_type="accounts.ApiToken").seq == entry.seq
    accounts.token_revoke(token=token, now=T0 + timedelta(minutes=2))
    assert "revoked_at" in json.loads(_last(object_type="accounts.ApiToken").after)

    cast.team.members.add(cast.maya)
    entry = _last(object_type="accounts.Team")
    assert json.loads(entry.after)["add"] == [cast.maya.pk]

    calendar = Calendar.objects.get(slug=defaults.BUSINESS)
    holidays.holiday_add(calendar=calendar, day=date(2027, 3, 3), name="Audit Day", now=T0)
    entry = _last(object_type="sla.Holiday", action="create")
    assert json.loads(entry.after)["name"] == "Audit Day"
    holidays.holiday_remove(calendar=calendar, day=date(2027, 3, 3), now=T0)
    assert _last(object_type="sla.Holiday").action == "delete"

    outbox.webhook_endpoint_create(
        name="ops", url="https://hooks.example.com/x", secret="0123456789abcdefXYZ", now=T0
    )
    entry = _last(object_type="notify.WebhookEndpoint")
    assert entry.action == "create" and "0123456789abcdefXYZ" not in entry.after

    monitor = monitoring.monitor_create(store=cast.acme_shoes, now=T0)
    monitoring.monitor_update(monitor=monitor, interval_seconds=120, now=T0)
    entry = _last(object_type="monitoring.Monitor", action="change")
    assert json.loads(entry.before) == {"interval_seconds": 60}
    assert chain.verify().ok


def test_a_password_reset_records_each_token_it_revokes_and_the_sessions_it_ends(cast):
    ravi = cast.ravi
    kept, _ = accounts.token_create(user=ravi, now=T0)
    other, _ = accounts.token_create(user=ravi, now=T0)
    session = Client()
    session.force_login(ravi)
    live = set(ravi.api_tokens.filter(revoked_at__isnull=True).values_list("pk", flat=True))
    assert {kept.pk, other.pk} <= live
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert accounts.password_reset_set(user=ravi, password="a-new-long-password", now=T0) == len(
        live
    )
    revoked = AuditEntry.objects.filter(
        seq__gt=before, object_type="accounts.ApiToken", action="change"
    )
    assert {int(e.object_id) for e in revoked} == live
    assert all(json.loads(e.after)["_why"] == "password reset" for e in revoked)
    assert all(e.subject_id == ravi.pk for e in revoked)
    assert chain.verify().ok


def test_an_admin_change_records_who_and_from_where(cast):
    client = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.7")
    client.force_login(cast.ada)
    form = {"name": "ops", "url": "https://hooks.example.com/x", "secret": "s3cret"}
    assert (
        client.post(
            "/admin/notify/webhookendpoint/add/", {**form, "events": "", "active": "on"}
        ).status_code
        == 302
    )
    entry = _last(object_type="notify.WebhookEndpoint")
    assert (entry.actor_id, entry.actor_label) == (cast.ada.pk, "ada@helpline.test")
    assert (entry.ip, entry.user_agent) == ("198.51.100.7", BROWSER)


@pytest.fixture
def passwords(cast):
    cast.alice.set_password(PASSWORD)
    cast.alice.save(update_fields=["password"])
    return cast


def test_sign_in_failed_sign_in_and_sign_out_are_recorded(passwords):
    client = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.8")
    client.post("/accounts/login/", {"username": "alice@acme.test", "password": "wrong"})
    failed = _last(action="login_failed")
    assert json.loads(failed.after) == {"login": "alice@acme.test"}
    assert (failed.ip, failed.user_agent, failed.actor_id) == ("198.51.100.8", BROWSER, None)
    client.post("/accounts/login/", {"username": "alice@acme.test", "password": PASSWORD})
    login = _last(action="login")
    assert (login.actor_id, login.subject_id, login.ip) == (
        passwords.alice.pk,
        passwords.alice.pk,
        "198.51.100.8",
    )
    client.post("/accounts/logout/")
    assert _last(action="logout").actor_id == passwords.alice.pk
    assert chain.verify().ok


def test_an_export_is_recorded_and_an_attachment_download_is_not(cast):
    client = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.9")
    client.force_login(cast.ada)
    response = client.get("/reports/backlog/export/?format=xlsx")
    assert response.status_code == 200, response.content[:300]
    entry = _last(action="export")
    assert entry.actor_id == cast.ada.pk and entry.ip == "198.51.100.9"
    after = json.loads(entry.after)
    assert after["path"] == "/reports/backlog/export/" and after["query"] == "format=xlsx"
    assert "spreadsheetml" in after["type"]


def test_admins_browse_in_their_zone_and_export_csv(cast):
    chain.record(action="change", object_type="sla.Holiday", object_id=1, now=T0)
    cast.ada.time_zone = "Asia/Kolkata"
    cast.ada.save()
    client = Client()
    client.force_login(cast.ada)
    page = client.get("/admin/audit/auditentry/?action=change")
    assert page.status_code == 200
    ist = T0.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Kolkata"))
    assert f"{ist:%H:%M} IST".encode() in page.content
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    seqs = list(AuditEntry.objects.values_list("seq", flat=True))
    exported = client.post(
        "/admin/audit/auditentry/",
        {"action": "export_csv", "_selected_action": seqs, "index": 0},
    )
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    text = exported.content.decode()
    assert text.splitlines()[0].startswith("seq,when,who")
    assert "IST" in text and "sla.Holiday" in text
    assert _last(action="export").actor_id == cast.ada.pk  # the export is audited too
    count = AuditEntry.objects.count()
    gone = client.post(
        "/admin/audit/auditentry/",
        {"action": "delete_selected", "_selected_action": seqs, "post": "yes"},
    )
    assert gone.status_code in (200, 302) and AuditEntry.objects.count() == count


def _break_the_chain() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_auditentry SET actor_label = 'nobody' WHERE seq = 2")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


def test_helpline_audit_verify_names_the_first_broken_entry(cast, capsys):
    for i in range(3):
        chain.record(action="change", object_id=i, now=T0)
    assert cli.main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
    _break_the_chain()
    assert cli.main(["audit", "verify"]) == 1
    assert "broken at entry #2" in capsys.readouterr().err


def test_the_worker_checks_nightly_and_tells_the_admins_of_a_break(cast):
    for i in range(3):
        chain.record(action="change", object_id=i, now=T0)
    first = worker.audit_verify_daily(now=T0)
    assert first is not None and first.ok
    _break_the_chain()
    assert worker.audit_verify_daily(now=T0 + timedelta(hours=1)) is None  # once a day
    night = T0 + timedelta(days=1)
    verdict = worker.audit_verify_daily(now=night)
    assert verdict is not None and verdict.broken_seq == 2
    mails = Outbox.objects.filter(kind="audit_broken")
    assert [m.recipient for m in mails] == [cast.ada.email]
    assert "#2" in mails[0].payload["subject"]
