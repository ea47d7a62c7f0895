"""Every page shows times in its reader's zone: a staff member's own (set on their profile,
IANA names only), a merchant's merchant's; the admin reads typed times in the admin's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from helpline.accounts.models import User
from helpline.monitoring.models import MaintenanceWindow, PlatformIncident

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tue 1 Dec 2026, 11:30 IST / 06:00 GMT


def test_a_staff_member_sets_their_zone_and_the_console_follows_also_in_its_refresh(
    cast, signed_in, settings
) -> None:
    settings.TIME_ZONE_DISPLAY = "Asia/Kolkata"
    with time_machine.travel(NOW, tick=False):
        cast.ticket(subject="Checkout broken", priority="C2", at=NOW)
        client = signed_in("ravi")
        assert "Times in Asia/Kolkata" in client.get("/console/").content.decode()
        saved = client.post("/console/profile/", {"time_zone": " Asia/Tokyo "})
        assert saved.status_code == 302
        assert User.objects.get(pk=cast.ravi.pk).time_zone == "Asia/Tokyo"
        page = client.get("/console/").content.decode()
        fragment = client.get("/console/", headers={"HX-Request": "true"}).content.decode()
    assert "Times in Asia/Tokyo" in page
    for html in (page, fragment):
        shown = re.findall(r"\w{3} \d+ \w{3} 2026, \d\d:\d\d (\w+)", html)
        assert shown and set(shown) == {"JST"}, shown


@pytest.mark.parametrize("typed", ["Mars/Olympus", "IST", "+05:30", "asia/kolkata"])
def test_a_zone_that_is_not_an_iana_name_is_refused_and_nothing_changes(
    cast, signed_in, typed
) -> None:
    User.objects.filter(pk=cast.ravi.pk).update(time_zone="Europe/London")
    response = signed_in("ravi").post("/console/profile/", {"time_zone": typed})
    assert response.status_code == 400
    assert "is not a time zone: use an IANA name such as Asia/Kolkata" in response.content.decode()
    assert User.objects.get(pk=cast.ravi.pk).time_zone == "Europe/London"


def test_an_empty_zone_is_the_deployments_and_merchants_have_no_profile_page(
    cast, signed_in, settings
) -> None:
    settings.TIME_ZONE_DISPLAY = "Asia/Kolkata"
    User.objects.filter(pk=cast.ravi.pk).update(time_zone="Europe/London")
    client = signed_in("ravi")
    assert client.post("/console/profile/", {"time_zone": ""}).status_code == 302
    assert "Asia/Kolkata" in client.get("/console/profile/").content.decode()
    assert signed_in("alice").get("/console/profile/").status_code == 404


def test_a_london_merchants_sla_preview_is_in_london_time(cast, signed_in) -> None:
    sunday = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)  # closed: the clock starts Monday
    with time_machine.travel(sunday, tick=False):
        html = signed_in("bob").get("/support/new/preview/?priority=C3").content.decode()
    assert "(Europe/London)" in html
    assert "the clock starts at the next opening, Mon 7 Dec 2026, 04:30 GMT" in html
    assert "IST" not in html


def test_an_admin_types_a_maintenance_window_in_their_own_zone(cast, settings) -> None:
    settings.TIME_ZONE_DISPLAY = "Europe/London"  # the deployment's zone is not the admin's
    User.objects.filter(pk=cast.ada.pk).update(time_zone="Asia/Kolkata")
    client = Client()
    client.force_login(User.objects.get(pk=cast.ada.pk))
    with time_machine.travel(NOW, tick=False):
        form = client.get("/admin/monitoring/maintenancewindow/add/").content.decode()
        assert "Starts at (Asia/Kolkata)" in form or "starts at (Asia/Kolkata)" in form
        assert "Times on this page are in Asia/Kolkata." in form
        response = client.post(
            "/admin/monitoring/maintenancewindow/add/",
            {
                "title": "Database upgrade",
                "description": "",
                "starts_at_0": "2026-12-10",
                "starts_at_1": "02:00:00",
                "ends_at_0": "2026-12-10",
                "ends_at_1": "04:00:00",
                "stores": [cast.bolt_gadgets.pk],
            },
        )
        assert response.status_code == 302, response.content[:2000]
        listed = client.get("/admin/monitoring/maintenancewindow/").content.decode()
    window = MaintenanceWindow.objects.get()
    assert window.starts_at == datetime(2026, 12, 9, 20, 30, tzinfo=UTC)
    assert window.ends_at == datetime(2026, 12, 9, 22, 30, tzinfo=UTC)
    assert "Thu 10 Dec 2026, 02:00 IST" in listed


def test_the_live_already_reported_panel_is_in_the_merchants_zone(cast, signed_in) -> None:
    PlatformIncident.objects.create(
        title="Payments slow", started_at=NOW, automatic=False
    )  # 06:00 UTC
    london = signed_in("bob").get("/support/new/similar/?subject=payments").content.decode()
    kolkata = signed_in("alice").get("/support/new/similar/?subject=payments").content.decode()
    assert "Payments slow</strong> since Tue 1 Dec 2026, 06:00 GMT" in london
    assert "Payments slow</strong> since Tue 1 Dec 2026, 11:30 IST" in kolkata
