"""The uptime API: monitors for staff, a store's uptime scoped, incidents, maintenance."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from helpline.conftest import T0
from helpline.monitoring import services
from helpline.monitoring.models import MaintenanceWindow, Monitor, Outage
from helpline.outbox.models import Outbox


def test_staff_create_list_change_and_stop_monitors(cast):
    ravi = cast.api("ravi")
    created = ravi.post("monitors", {"store": cast.acme_shoes.pk, "interval_seconds": 120})
    assert created.status_code == 201, created.json_body
    body = created.json_body
    assert body["url"] == "https://shoes.acme.test" and body["state"] == "new"
    listed = ravi.get("monitors", store=cast.acme_shoes.pk)
    assert [m["id"] for m in listed.json_body] == [body["id"]]
    changed = ravi.patch(f"monitors/{body['id']}", {"keyword": "Shoes"})
    assert changed.json_body["keyword"] == "Shoes"
    stopped = ravi.call("DELETE", f"monitors/{body['id']}")
    assert stopped.status_code == 200 and stopped.json_body["active"] is False
    assert Monitor.objects.get().active is False  # kept, with its history


def test_monitor_input_errors_are_clear_and_nothing_is_written(cast):
    ravi = cast.api("ravi")
    bad = ravi.post("monitors", {"store": cast.acme_shoes.pk, "url": "gopher://x"})
    assert bad.status_code == 422 and bad.json_body["code"] == "invalid_url"
    slow = ravi.post("monitors", {"store": cast.acme_shoes.pk, "interval_seconds": 5})
    assert slow.status_code == 422 and slow.json_body["code"] == "validation_error"
    assert not Monitor.objects.exists()


def test_merchants_do_not_manage_monitors_and_account_managers_only_their_stores(cast):
    assert cast.api("alice").get("monitors").status_code == 403
    maya = cast.api("maya")
    assert maya.post("monitors", {"store": cast.bolt_gadgets.pk}).status_code == 404
    assert maya.post("monitors", {"store": cast.acme_shoes.pk}).status_code == 201
    other = services.monitor_create(store=cast.bolt_gadgets, now=T0)
    assert maya.get(f"monitors/{other.pk}").status_code == 404


def test_store_uptime_is_scoped_and_in_the_merchants_zone(cast):
    monitor = services.monitor_create(store=cast.bolt_gadgets, now=T0 - timedelta(days=40))
    Outage.objects.create(
        monitor=monitor,
        store=cast.bolt_gadgets,
        started_at=T0 - timedelta(hours=2),
        confirmed_at=T0 - timedelta(hours=2),
        ended_at=T0 - timedelta(hours=2) + timedelta(minutes=90),
    )
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        bob = cast.api("bob").get(
            f"stores/{cast.bolt_gadgets.pk}/uptime", period="month", date="2026-11-01"
        )
        alice = cast.api("alice").get(f"stores/{cast.bolt_gadgets.pk}/uptime")
    assert alice.status_code == 404  # another merchant's store: as if it did not exist
    assert bob.status_code == 200, bob.json_body
    figures = bob.json_body
    assert figures["time_zone"] == "Europe/London"
    assert figures["start"].startswith("2026-11-01T00:00:00")  # London midnight = UTC
    assert figures["downtime_minutes"] == 90
    assert figures["budget_minutes"] == 86.4
    assert figures["verdict"] == "broken"  # 90 > 86.4 in a 30-day month
    assert figures["meets_promise"] is False  # kept for old clients: the verdict as a boolean
    assert figures["remaining_minutes"] == -3.6


def test_incidents_and_maintenance(cast):
    ravi = cast.api("ravi")
    with time_machine.travel(T0, tick=False):
        made = ravi.post(
            "maintenance",
            {
                "title": "Checkout upgrade",
                "starts_at": (T0 + timedelta(days=2)).isoformat(),
                "ends_at": (T0 + timedelta(days=2, hours=1)).isoformat(),
                "stores": [cast.bolt_gadgets.pk],
            },
        )
        assert made.status_code == 201, made.json_body
        assert cast.api("alice").get("maintenance").json_body == []  # not her store
        assert [w["title"] for w in cast.api("bob").get("maintenance").json_body] == [
            "Checkout upgrade"
        ]
        past = ravi.post(
            "maintenance",
            {
                "title": "Too late",
                "starts_at": (T0 - timedelta(hours=1)).isoformat(),
                "ends_at": (T0 + timedelta(hours=1)).isoformat(),
            },
        )
    assert past.status_code == 422 and past.json_body["code"] == "not_in_advance"
    assert MaintenanceWindow.objects.count() == 1
    assert Outbox.objects.filter(kind="maintenance").count() == 1
    assert cast.api("alice").post("maintenance", {}).status_code in (403, 422)
    assert cast.api("alice").get("incidents", open=True).json_body == []


def test_a_date_out_of_range_is_a_clear_error(cast):
    for day in ("0001-01-01", "9999-12-31"):
        answer = cast.api("alice").get(f"stores/{cast.acme_shoes.pk}/uptime", date=day)
        assert answer.status_code == 422 and answer.json_body["code"] == "invalid_date"


def test_a_store_never_watched_has_no_uptime_figure_and_its_promise_is_not_known(cast):
    """Bolt Gadgets has no monitor: no percentage, not "meets the promise"."""
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        never = cast.api("bob").get(f"stores/{cast.bolt_gadgets.pk}/uptime", period="year")
    assert never.status_code == 200, never.json_body
    assert never.json_body["uptime_percent"] is None
    assert never.json_body["watched"] is False
    assert never.json_body["verdict"] == "not_known"
    assert never.json_body["meets_promise"] is None


def test_watched_only_since_autumn_the_years_promise_is_not_known(cast):
    """Watched from 1 October with no downtime: 100 % of what was measured, but most of the
    year was not, so the year's verdict is not known; the month's is kept so far."""
    services.monitor_create(store=cast.bolt_gadgets, now=T0 - timedelta(days=55))
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        year = cast.api("bob").get(f"stores/{cast.bolt_gadgets.pk}/uptime", period="year")
        month = cast.api("bob").get(f"stores/{cast.bolt_gadgets.pk}/uptime", period="month")
    assert year.json_body["uptime_percent"] == 100.0
    assert year.json_body["verdict"] == "not_known" and year.json_body["meets_promise"] is None
    assert year.json_body["unknown_minutes"] > year.json_body["budget_minutes"]
    assert month.json_body["verdict"] == "kept" and month.json_body["over"] is False
