"""The outbox and the rota in the admin: dead letters retried by an action; who is on call now."""

from __future__ import annotations

from datetime import time

import pytest
from django.db import transaction
from django.test import Client

from helpline.conftest import T0
from helpline.core import clock
from helpline.outbox import services
from helpline.outbox.models import OnCallOverride, OnCallShift, Outbox, State
from helpline.worker import run_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(cast) -> Client:
    client = Client()
    cast.ada.set_password("admin-pass-123")
    cast.ada.save(update_fields=["password"])
    assert client.login(email="ada@helpline.test", password="admin-pass-123")
    return client


def test_dead_letters_are_listed_and_retried_from_the_admin(admin_client: Client) -> None:
    with transaction.atomic():
        services.enqueue(
            channel="pigeon", kind="x", recipient="r@x.test", payload={}, idempotency_key="p"
        )
    run_once(now=clock.now())
    row = Outbox.objects.get()
    assert row.state == State.DEAD
    page = admin_client.get("/admin/notify/outbox/?state__exact=dead")
    assert page.status_code == 200
    assert b"r@x.test" in page.content
    response = admin_client.post(
        "/admin/notify/outbox/",
        {"action": "retry", "_selected_action": [row.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert b"1 dead letter(s) will be sent again" in response.content
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.PENDING, 0)
    assert admin_client.get(f"/admin/notify/outbox/{row.pk}/change/").status_code == 200


def test_the_rota_admin_says_who_is_on_call_now(admin_client: Client, cast) -> None:
    OnCallOverride.objects.create(
        user=cast.lena, starts_at=T0.replace(year=2000), ends_at=T0.replace(year=2100)
    )
    page = admin_client.get("/admin/notify/oncallshift/", follow=True)
    assert page.status_code == 200
    assert b"On call now: Lena" in page.content
    add = admin_client.post(
        "/admin/notify/oncallshift/add/",
        {
            "user": cast.ravi.pk,
            "weekday": 0,
            "start": "18:00",
            "end": "10:00",
            "zone": "Asia/Kolkata",
        },
    )
    assert add.status_code == 302
    assert OnCallShift.objects.get(user=cast.ravi).start == time(18)
