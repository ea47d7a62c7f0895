"""The rota in the admin: who is on call now."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client

from helpline.conftest import T0
from helpline.outbox.models import OnCallOverride, OnCallShift

pytestmark = pytest.mark.django_db


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
