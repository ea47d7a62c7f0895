"""A merchant's zone is an IANA name: every time the merchant reads is shown in it, so a name
that is not one is refused at every door (the API, the admin) and nothing is stored."""

from __future__ import annotations

import pytest
from django.test import Client

from helpline.merchants.models import Merchant

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(cast) -> Client:
    client = Client()
    cast.ada.set_password("admin-pass-123")
    cast.ada.save(update_fields=["password"])
    assert client.login(email="ada@helpline.test", password="admin-pass-123")
    return client


@pytest.mark.parametrize("zone", ["IST", "Mars/Olympus", "Asia/Kolkata; DROP", ""])
def test_the_api_refuses_a_zone_that_is_not_an_iana_name(cast, zone) -> None:
    before = Merchant.objects.count()
    answer = cast.api("ada").post(
        "merchants", {"name": "Chai Co", "slug": "chai", "time_zone": zone}
    )
    assert answer.status_code == 422, answer.content
    assert answer.json_body["code"] in ("invalid_time_zone", "validation_error")
    assert Merchant.objects.count() == before


def test_the_api_takes_an_iana_name(cast) -> None:
    answer = cast.api("ada").post(
        "merchants", {"name": "Chai Co", "slug": "chai", "time_zone": "Europe/London"}
    )
    assert answer.status_code == 201, answer.content
    assert Merchant.objects.get(slug="chai").time_zone == "Europe/London"


def test_the_admin_refuses_a_zone_that_is_not_an_iana_name(cast, admin_client) -> None:
    url = f"/admin/merchants/merchant/{cast.acme.pk}/change/"
    form = {
        "name": cast.acme.name,
        "slug": cast.acme.slug,
        "time_zone": "IST",
        "created_at_0": "2026-11-24",
        "created_at_1": "05:00:00",
        "stores-TOTAL_FORMS": "0",
        "stores-INITIAL_FORMS": "0",
    }
    page = admin_client.post(url, form)
    assert page.status_code == 200  # the form again, with the error
    assert b"is not a time zone name" in page.content
    cast.acme.refresh_from_db()
    assert cast.acme.time_zone == "Asia/Kolkata"
    form["time_zone"] = "Europe/London"
    done = admin_client.post(url, form)
    assert done.status_code == 302, done.content[:2000]
    cast.acme.refresh_from_db()
    assert cast.acme.time_zone == "Europe/London"
