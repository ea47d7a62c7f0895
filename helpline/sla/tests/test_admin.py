"""The admin edits the policy safely: a save publishes a version; holidays move deadlines."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from helpline.sla.models import Calendar, Holiday, PolicyVersion, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(cast) -> Client:
    client = Client()
    cast.ada.set_password("admin-pass-123")
    cast.ada.save(update_fields=["password"])
    assert client.login(email="ada@helpline.test", password="admin-pass-123")
    return client


def test_editing_a_target_in_the_admin_publishes_a_new_version(admin_client: Client) -> None:
    target = Target.objects.get(priority__code="C2", kind="first_response")
    url = f"/admin/sla/target/{target.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "priority": target.priority_id,
            "kind": "first_response",
            "minutes": 180,
            "calendar": target.calendar_id,
            "goal_minutes": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    latest = PolicyVersion.objects.order_by("-number").first()
    assert latest is not None and latest.number == 2
    assert {
        "priority": "C2",
        "kind": "first_response",
        "minutes": 180,
        "calendar": "business-in",
        "goal_minutes": None,
    } in latest.snapshot["targets"]


def test_adding_a_holiday_in_the_admin_goes_through_the_service(admin_client: Client) -> None:
    cal = Calendar.objects.get(slug="business-in")
    revision = cal.holidays_revision
    response = admin_client.post(
        "/admin/sla/holiday/add/",
        {"calendar": cal.pk, "date": "2027-01-04", "name": "Founders' day"},
        follow=True,
    )
    assert response.status_code == 200
    holiday = Holiday.objects.get(calendar=cal, date=date(2027, 1, 4))
    assert holiday.added_by_admin
    cal.refresh_from_db()
    assert cal.holidays_revision > revision


def test_the_admin_pages_render(admin_client: Client) -> None:
    for path in [
        "/admin/",
        "/admin/sla/calendar/",
        "/admin/sla/issuetype/",
        "/admin/sla/policyversion/",
        "/admin/tickets/ticket/",
        "/admin/accounts/user/",
        "/admin/merchants/store/",
    ]:
        assert admin_client.get(path).status_code == 200, path


def test_targets_read_in_words(db) -> None:
    """Issue 22: "C2 first response: 4 h", not "C2 first_response: 240 min"."""
    from helpline.sla.models import Target

    target = Target.objects.select_related("priority").get(
        priority__code="C2", kind="first_response"
    )
    assert str(target) == "C2 first response: 4 h"
