"""PATCH /api/v1/tickets/{id} with a priority or issue type: a change needs a reason (422 naming
the field, nothing written); the value the ticket already has is no change (200, nothing
written)."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.api.tests.world import World, snapshot
from helpline.outbox.models import Outbox

pytestmark = pytest.mark.django_db


def everything(ticket_id: int) -> dict[str, Any]:
    return {**snapshot(ticket_id), "outbox": Outbox.objects.count()}


@pytest.mark.parametrize(
    "body",
    [
        {"priority": "C2"},
        {"priority": "C2", "reason": "  "},
        {"issue_type": "store-down"},
        {"priority": "C1", "issue_type": "store-down", "reason": ""},
    ],
)
def test_a_change_without_a_reason_is_422_naming_the_field(
    world: World, body: dict[str, str]
) -> None:
    ticket = world.a_outlet  # C3 functionality, triaged by Ravi
    before = everything(ticket.pk)
    response = world.cast.api("ravi").patch(f"tickets/{ticket.pk}", body)
    assert response.status_code == 422, response.content
    assert response.json_body["code"] == "reason_required"
    assert response.json_body["field"] == "reason"
    assert everything(ticket.pk) == before


@pytest.mark.parametrize("reason", ["", "still C3"])
def test_the_same_priority_and_issue_type_change_nothing(world: World, reason: str) -> None:
    ticket = world.a_outlet
    before = everything(ticket.pk)
    body = {"priority": ticket.priority, "issue_type": ticket.issue_type, "reason": reason}
    response = world.cast.api("ravi").patch(f"tickets/{ticket.pk}", body)
    assert response.status_code == 200, response.content
    assert response.json_body["priority"] == ticket.priority
    assert everything(ticket.pk) == before
