"""docs/policy.md's lifecycle table: every disallowed transition is refused and writes nothing;
every allowed one writes its event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.core.errors import TransitionRefused
from helpline.tickets import lifecycle, services
from helpline.tickets.models import Status, Ticket, TicketMessage
from helpline.tickets.tests.lifecycle_table import check_other_role_refused, check_table_row

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
T = datetime(2026, 12, 7, 11, 0, tzinfo=IST)  # Monday, business hours

# docs/policy.md, "Lifecycle", as (action, from-states, to-state, who).
POLICY_TABLE = {
    "triage": ({"new"}, "triaged", "staff"),
    "start": ({"new", "triaged"}, "in_progress", "staff"),
    "quote": ({"triaged", "in_progress"}, "awaiting_approval", "staff"),
    "approve": ({"awaiting_approval"}, "in_progress", "merchant"),
    "decline": ({"awaiting_approval"}, "triaged", "merchant"),
    "workaround": (
        {"new", "triaged", "in_progress", "waiting_on_merchant", "awaiting_approval"},
        None,
        "staff",
    ),
    "resolve": (
        {"new", "triaged", "in_progress", "waiting_on_merchant", "awaiting_approval"},
        "resolved",
        "staff",
    ),
    "close": ({"resolved"}, "closed", "merchant"),
    "reopen": ({"resolved"}, "in_progress", "merchant"),
    "withdraw": (
        {"new", "triaged", "in_progress", "waiting_on_merchant", "awaiting_approval"},
        "closed",
        "merchant",
    ),
}
STATUSES = [s.value for s in Status]


def test_the_table_in_code_is_policy_md_table() -> None:
    assert set(lifecycle.PUBLIC_ACTIONS) == set(POLICY_TABLE)
    for action, (sources, target, who) in POLICY_TABLE.items():
        transition = lifecycle.TRANSITIONS[action]
        assert transition.sources == sources, action
        assert transition.target == target, action
        assert who in transition.actors, action


def _ticket_in(cast: Any, status: str, priority: str = "C1") -> Ticket:
    ticket = cast.ticket(
        subject="Checkout fails",
        description="Payment page errors",
        issue_type="transactions-failing",
        priority=priority,
        at=T,
    )
    # Setup only: put the ticket straight into the state under test.
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()
    return ticket


# The tickets' own actions, each to its service (quotes and their decisions: billing's tests).
SERVICES: dict[str, Callable[..., Ticket]] = {
    "triage": services.ticket_triage,
    "start": services.ticket_start,
    "workaround": services.ticket_workaround,
    "resolve": services.ticket_resolve,
    "close": services.ticket_close,
    "reopen": services.ticket_reopen,
    "withdraw": services.ticket_withdraw,
}


def _fields(action: str) -> dict[str, Any]:
    if action in ("workaround", "resolve"):
        return {"message": "Here is what we did"}
    if action == "close":
        return {"rating": 5}
    return {}


CASES = [
    (action, status, who)
    for action, (_, _, who) in POLICY_TABLE.items()
    if action in SERVICES
    for status in STATUSES
]


@pytest.mark.parametrize(("action", "status", "who"), CASES)
def test_every_transition_is_allowed_exactly_where_the_table_says(
    cast, action: str, status: str, who: str
) -> None:
    ticket = _ticket_in(cast, status)
    actor = cast.ravi if who == "staff" else cast.alice
    check_table_row(
        ticket=ticket,
        take=lambda: SERVICES[action](
            actor=actor, ticket=ticket, now=T + timedelta(minutes=5), **_fields(action)
        ),
        row=POLICY_TABLE[action],
        status=status,
    )


@pytest.mark.parametrize("action", sorted(SERVICES))
def test_the_other_role_gets_403_and_nothing_is_written(cast, action: str) -> None:
    sources, _, who = POLICY_TABLE[action]
    ticket = _ticket_in(cast, sorted(sources)[0])
    actor = cast.alice if who == "staff" else cast.ravi
    check_other_role_refused(
        ticket=ticket,
        take=lambda: SERVICES[action](actor=actor, ticket=ticket, now=T, **_fields(action)),
    )


def test_workaround_is_refused_below_c1_naming_the_allowed_actions(cast) -> None:
    ticket = _ticket_in(cast, "in_progress", priority="C2")
    with pytest.raises(TransitionRefused, match="only for C1") as refused:
        services.ticket_workaround(actor=cast.ravi, ticket=ticket, message="x", now=T)
    assert refused.value.extra["allowed"] == ["quote", "resolve"]


def test_the_api_answers_409_with_the_allowed_actions(cast) -> None:
    ticket = _ticket_in(cast, "resolved")
    response = cast.api("ravi").post(f"tickets/{ticket.pk}/transitions", {"action": "start"})
    assert response.status_code == 409
    assert response.json_body["code"] == "transition_not_allowed"
    assert response.json_body["allowed"] == []
    response = cast.api("alice").post(f"tickets/{ticket.pk}/transitions", {"action": "start"})
    assert response.status_code == 403
    response = cast.api("alice").post(f"tickets/{ticket.pk}/transitions", {"action": "fly"})
    assert response.status_code == 422
    assert response.json_body["code"] == "unknown_action"


def test_closed_is_final_posting_is_refused(cast) -> None:
    ticket = _ticket_in(cast, "closed")
    for name in ("alice", "ravi"):
        response = cast.api(name).post(f"tickets/{ticket.pk}/messages", {"body": "hello?"})
        assert response.status_code == 409
    assert not TicketMessage.objects.filter(ticket=ticket).exists()


def test_a_question_moves_to_waiting_and_any_merchant_message_back(cast) -> None:
    ticket = _ticket_in(cast, "in_progress")
    services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="Which browser?", question=True, now=T
    )
    ticket.refresh_from_db()
    assert ticket.status == "waiting_on_merchant"
    services.ticket_reply(
        actor=cast.alice, ticket=ticket, body="Chrome", now=T + timedelta(hours=1)
    )
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


def test_a_question_on_a_new_ticket_is_refused(cast) -> None:
    ticket = _ticket_in(cast, "new")
    with pytest.raises(TransitionRefused):
        services.ticket_reply(
            actor=cast.ravi, ticket=ticket, body="Which browser?", question=True, now=T
        )
