"""Dead letters in the API: administrators list and retry them; nobody else sees the outbox."""

from __future__ import annotations

import pytest
from django.db import transaction

from helpline.core import clock
from helpline.outbox import delivery, services
from helpline.outbox.models import Outbox, State

pytestmark = pytest.mark.django_db


def dead_letter() -> Outbox:
    with transaction.atomic():
        services.enqueue(
            channel="pigeon", kind="x", recipient="r@x.test", payload={}, idempotency_key="p"
        )
    delivery.step(now=clock.now())
    return Outbox.objects.get(state=State.DEAD)


def test_admins_list_and_retry_dead_letters(cast) -> None:
    row = dead_letter()
    api = cast.api("ada")
    listed = api.get("outbox", state="dead")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json_body] == [row.pk]
    assert "no channel" in listed.json_body[0]["last_error"]
    assert api.post("outbox/retry", {}).status_code == 422  # name them, or all_dead
    answer = api.post("outbox/retry", {"ids": [row.pk]})
    assert answer.status_code == 200
    assert answer.json_body == {"retried": 1}
    assert api.get("outbox", state="dead").json_body == []
    assert api.get("outbox", state="pending").json_body[0]["id"] == row.pk


def test_nobody_else_sees_the_outbox(cast) -> None:
    dead_letter()
    for name in ("ravi", "alice", "maya"):
        assert cast.api(name).get("outbox").status_code == 403
        assert cast.api(name).post("outbox/retry", {"all_dead": True}).status_code == 403
    assert cast.api("ada").get("outbox", state="nonsense").status_code == 422
