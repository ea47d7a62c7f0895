"""Monitors, maintenance and incidents in the admin go through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from helpline.core import clock
from helpline.monitoring.models import MaintenanceWindow, Monitor, PlatformIncident
from helpline.outbox.models import Outbox


@pytest.fixture
def admin_client(cast) -> Client:
    client = Client()
    client.force_login(cast.ada)
    return client


def test_a_monitor_added_in_the_admin_is_due_at_once_and_bad_input_is_refused(admin_client, cast):
    form = {
        "store": cast.acme_shoes.pk,
        "url": "https://shoes.acme.test/health",
        "interval_seconds": 60,
        "timeout_seconds": 10,
        "expected_status": 200,
        "keyword": "",
        "tls_warn_days": 14,
        "active": "on",
    }
    bad = admin_client.post("/admin/monitoring/monitor/add/", {**form, "timeout_seconds": 60})
    assert bad.status_code == 200 and b"shorter than the interval" in bad.content
    assert not Monitor.objects.exists()
    good = admin_client.post("/admin/monitoring/monitor/add/", form)
    assert good.status_code == 302
    monitor = Monitor.objects.get()
    assert monitor.state == "new" and monitor.next_probe_at <= clock.now()
    assert admin_client.get("/admin/monitoring/monitor/").status_code == 200


def test_maintenance_added_in_the_admin_is_announced(admin_client, cast):
    start = clock.now() + timedelta(days=1)
    form = {
        "title": "Upgrade",
        "description": "",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": (start + timedelta(hours=1)).strftime("%Y-%m-%d"),
        "ends_at_1": (start + timedelta(hours=1)).strftime("%H:%M:%S"),
        "stores": [cast.bolt_gadgets.pk],
    }
    response = admin_client.post("/admin/monitoring/maintenancewindow/add/", form)
    assert response.status_code == 302, response.content[:2000]
    window = MaintenanceWindow.objects.get()
    assert list(window.stores.all()) == [cast.bolt_gadgets]
    assert [o.recipient for o in Outbox.objects.filter(kind="maintenance")] == ["bob@bolt.test"]


def test_incidents_opened_and_resolved_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/monitoring/platformincident/add/", {"title": "Payments slow", "description": ""}
    )
    assert response.status_code == 302
    incident = PlatformIncident.objects.get()
    assert incident.automatic is False and incident.resolved_at is None
    admin_client.post(
        "/admin/monitoring/platformincident/",
        {"action": "resolve", "_selected_action": [incident.pk]},
    )
    incident.refresh_from_db()
    assert incident.resolved_at is not None


def test_an_incidents_description_changed_in_the_admin_is_an_update_subscribers_hear(
    admin_client, cast
):
    from helpline.subscriptions import services as subscriptions

    subscriptions.subscribe_user(user=cast.alice, store_id=None, channel="email")
    admin_client.post("/admin/monitoring/platformincident/add/", {"title": "Payments slow"})
    incident = PlatformIncident.objects.get()
    url = f"/admin/monitoring/platformincident/{incident.pk}/change/"
    form = {"title": "Payments slow", "description": "The provider is recovering."}
    assert admin_client.post(url, form).status_code == 302
    assert admin_client.post(url, form).status_code == 302  # unchanged: no second update
    told = Outbox.objects.filter(kind="status_incident_updated")
    assert [r.recipient for r in told] == ["alice@acme.test"]
    assert "The provider is recovering." in told[0].payload["body"]
    incident.refresh_from_db()
    assert incident.description == "The provider is recovering."
