"""The outbox in the admin: dead letters retried by an action."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from helpline.core import clock
from helpline.outbox import delivery, services
from helpline.outbox.models import Outbox, State

pytestmark = pytest.mark.django_db


def test_dead_letters_are_listed_and_retried_from_the_admin(admin_client: Client) -> None:
    with transaction.atomic():
        services.enqueue(
            channel="pigeon", kind="x", recipient="r@x.test", payload={}, idempotency_key="p"
        )
    delivery.step(now=clock.now())
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
