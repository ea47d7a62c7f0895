"""Issue 21 at the API and around it: the JSON error format for every 4xx, control characters
refused at input and removed at export, on_behalf_of that tells nothing, the merchant's
breaches report without assignment, the webhook admin, monitors the guard refuses."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from helpline.conftest import T0
from helpline.monitoring import services as monitoring
from helpline.monitoring.models import BlindSpan, Monitor, MonitorState, Outage, PlatformIncident
from helpline.monitoring.probe import Outcome
from helpline.outbox.models import WebhookEndpoint
from helpline.tickets.models import Ticket


def _bearer(cast, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {cast.tokens[name]}"}


def test_an_unknown_api_path_answers_in_the_json_error_format(cast):
    response = Client().get("/api/v1/no-such-thing", headers=_bearer(cast, "ravi"))
    assert response.status_code == 404
    assert response.json() == {"detail": "not found", "code": "not_found"}


def test_a_body_over_the_limit_gets_413_in_json(cast, settings):
    body = json.dumps({"subject": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = Client().post(
        "/api/v1/tickets", body, content_type="application/json", headers=_bearer(cast, "alice")
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("body", ["[]", '"text"', "1", "null"])
def test_a_json_body_that_is_not_an_object_is_refused(cast, body):
    """The finding: a non-object body was taken as an empty one (all defaults)."""
    ticket = cast.ticket()
    response = Client().patch(
        f"/api/v1/tickets/{ticket.pk}",
        body,
        content_type="application/json",
        headers=_bearer(cast, "ravi"),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "http_error"


@pytest.mark.parametrize("text", ["a\x0bb", "bell\x07", "csi\x9b"])
def test_control_characters_are_refused_at_input_and_nothing_is_written(cast, text):
    api = cast.api("alice")
    body = {
        "store": cast.acme_shoes.pk,
        "subject": text,
        "description": "d",
        "issue_type": "functionality",
    }
    response = api.post("tickets", body)
    assert response.status_code == 422 and "control characters" in response.json_body["detail"]
    ok = api.post("tickets", {**body, "subject": "tab\tand fine", "description": "a\nb"})
    assert ok.status_code == 201
    assert Ticket.objects.count() == 1


def _progress_sheet_urls(cast) -> dict[str, tuple[str, dict[str, str]]]:
    shoes = cast.acme_shoes.pk
    return {
        "alice": (f"/api/v1/stores/{shoes}/progress-sheet.xlsx", _bearer(cast, "alice")),
        "maya": (f"/api/v1/stores/{shoes}/progress-sheet.xlsx", _bearer(cast, "maya")),
        "ada": (f"/api/v1/stores/{shoes}/progress-sheet.xlsx", _bearer(cast, "ada")),
    }


def test_xlsx_exports_of_old_text_with_control_characters_answer(cast):
    """The finding: a subject holding \\x0b made the progress sheet's XLSX answer 500 for the
    merchant, the account manager and the admin; a breached C1 with \\x07 the breach list's."""
    ticket = cast.ticket(subject="Checkout broken", priority="C1")
    # Text stored before input was checked (or by a path that did not check it).
    Ticket.objects.filter(pk=ticket.pk).update(subject="Checkout\x0b broken\x07")
    for who, (url, auth) in _progress_sheet_urls(cast).items():
        response = Client().get(url, headers=auth)
        assert response.status_code == 200, who
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        assert any("Checkout broken" in str(cell) for row in rows for cell in row), who
    breaches = Client().get(
        "/api/v1/reports/breach-list",
        {"start": "2026-11-01", "end": "2026-12-31", "format": "xlsx"},
        headers=_bearer(cast, "ravi"),
    )
    assert breaches.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(breaches.content)).active.values for c in row]
    assert "Checkout broken" in cells


def test_on_behalf_of_tells_a_merchant_nothing_about_ids(cast):
    """The finding: 422 for an id that is not an active merchant user, 403 for one that is."""
    answers = set()
    for target in (cast.bob.pk, cast.ravi.pk, 99999):
        response = cast.api("alice").post(
            "tickets",
            {
                "store": cast.acme_shoes.pk,
                "subject": "s",
                "description": "d",
                "issue_type": "functionality",
                "on_behalf_of": target,
            },
        )
        answers.add((response.status_code, response.json_body["code"]))
    assert answers == {(403, "action_forbidden")}
    assert not Ticket.objects.exists()


def test_the_merchants_breaches_report_does_not_tell_assignment(cast, time_machine):
    cast.ticket(priority="C1", at=T0)  # never answered, never assigned: breached
    time_machine.move_to(T0.replace(day=30))
    params = {"start": "2026-11-01", "end": "2026-11-30"}
    merchant = cast.api("alice").get("reports/breaches", **params).json_body
    staff = cast.api("ravi").get("reports/breaches", **params).json_body
    assert "no reply, unassigned" in json.dumps(staff)
    assert "no reply, unassigned" not in json.dumps(merchant)
    assert "first reply late" in json.dumps(merchant)


def _webhook_form(url: str, events: str) -> dict[str, str]:
    return {"name": "ops", "url": url, "secret": "s3cret", "events": events, "active": "on"}


def test_the_admin_refuses_a_webhook_delivery_would_refuse(cast):
    """The finding: the admin took http://127.0.0.1 although only public HTTPS is meant."""
    client = Client()
    client.force_login(cast.ada)
    for url, reason in [
        ("http://127.0.0.1/hook", b"must start with https://"),
        ("https://127.0.0.1/hook", b"127.0.0.1 is not a public address"),
        ("https://10.0.0.5/hook", b"10.0.0.5 is not a public address"),
        ("https://100.100.100.200/", b"not a public address"),
        ("http://hooks.example.com/hook", b"must start with https://"),
    ]:
        page = client.post("/admin/notify/webhookendpoint/add/", _webhook_form(url, "[]"))
        assert page.status_code == 200 and reason in page.content, url
    assert not WebhookEndpoint.objects.exists()


def test_the_admin_saves_a_webhook_with_no_events_as_all_of_them(cast):
    """The finding: saving with the events left empty answered 500."""
    client = Client()
    client.force_login(cast.ada)
    saved = client.post(
        "/admin/notify/webhookendpoint/add/", _webhook_form("https://hooks.example.com/x", "")
    )
    assert saved.status_code == 302
    assert WebhookEndpoint.objects.get().events == []


def test_a_monitor_the_guard_refuses_is_a_configuration_error_not_an_outage(cast):
    monitors = [
        monitoring.monitor_create(store=store, now=T0)
        for store in (cast.acme_shoes, cast.acme_outlet, cast.bolt_gadgets)
    ]
    error = "127.0.0.1 is not an allowed address"
    for i in range(5):
        monitoring.probe_round_record(
            now=T0.replace(minute=i),
            outcomes=[Outcome(m.pk, False, None, None, error, refused=True) for m in monitors],
        )
    for monitor in Monitor.objects.all():
        assert monitor.state != MonitorState.DOWN
        assert monitor.last_error == error
    assert not Outage.objects.exists() and not PlatformIncident.objects.exists()
    reasons = list(BlindSpan.objects.values_list("reason", flat=True))
    assert reasons == [f"not probed: {error}"] * 3
