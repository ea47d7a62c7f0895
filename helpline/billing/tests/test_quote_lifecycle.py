"""The lifecycle table (docs/policy.md) for the quote actions (quote, approve, decline, expire):
billing's services refuse what the table refuses and write nothing; what it allows writes its
event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.billing import services, sweeps
from helpline.billing.models import Quote
from helpline.tickets import lifecycle
from helpline.tickets import services as ticket_services
from helpline.tickets.models import Status, Ticket, TicketClock, TicketEvent
from helpline.tickets.tests.lifecycle_table import (
    check_other_role_refused,
    check_table_row,
    ticket_snapshot,
)

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
T = datetime(2026, 12, 7, 11, 0, tzinfo=IST)  # Monday, business hours

# docs/policy.md, "Lifecycle", the quote's rows, as (action, from-states, to-state, who).
POLICY_TABLE = {
    "quote": ({"triaged", "in_progress"}, "awaiting_approval", "staff"),
    "approve": ({"awaiting_approval"}, "in_progress", "merchant"),
    "decline": ({"awaiting_approval"}, "triaged", "merchant"),
}
SERVICES: dict[str, Callable[..., Quote]] = {
    "quote": services.quote_create,
    "approve": services.quote_approve,
    "decline": services.quote_decline,
}
STATUSES = [s.value for s in Status]


def test_the_quote_rows_of_the_table_in_code_are_policy_md_table() -> None:
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
    if status == Status.AWAITING_APPROVAL:
        Quote.objects.create(
            ticket=ticket,
            amount_inr=5000,
            description="Custom work",
            valid_until=T + timedelta(days=7),
            created_at=T,
        )
    ticket.refresh_from_db()
    return ticket


def _fields(action: str) -> dict[str, Any]:
    if action == "quote":
        return {
            "amount_inr": "2500.00",
            "description": "Theme change",
            "valid_until": T + timedelta(days=5),
        }
    # A decline says why (it returns the ticket to staff with the reason).
    return {"reason": "Too expensive" if action == "decline" else ""}


def _snapshot(ticket: Ticket) -> tuple[Any, ...]:
    return (*ticket_snapshot(ticket), list(Quote.objects.filter(ticket=ticket).values()))


CASES = [
    (action, status, who) for action, (_, _, who) in POLICY_TABLE.items() for status in STATUSES
]


@pytest.mark.parametrize(("action", "status", "who"), CASES)
def test_every_quote_action_is_allowed_exactly_where_the_table_says(
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
        snapshot=_snapshot,
    )


@pytest.mark.parametrize("action", sorted(POLICY_TABLE))
def test_the_other_role_gets_403_and_nothing_is_written(cast, action: str) -> None:
    sources, _, who = POLICY_TABLE[action]
    ticket = _ticket_in(cast, sorted(sources)[0])
    actor = cast.alice if who == "staff" else cast.ravi
    check_other_role_refused(
        ticket=ticket,
        take=lambda: SERVICES[action](actor=actor, ticket=ticket, now=T, **_fields(action)),
        snapshot=_snapshot,
    )


def test_quote_expiry_returns_the_ticket_to_triaged(cast) -> None:
    ticket = _ticket_in(cast, "in_progress")
    services.quote_create(
        actor=cast.ravi,
        ticket=ticket,
        amount_inr="1200",
        description="Banner work",
        valid_until=T + timedelta(days=2),
        now=T,
    )
    assert sweeps.quotes_expire(now=T + timedelta(days=1)) == 0
    assert sweeps.quotes_expire(now=T + timedelta(days=2, seconds=1)) == 1
    ticket.refresh_from_db()
    assert ticket.status == "triaged"
    assert Quote.objects.get(ticket=ticket).status == "expired"
    assert TicketEvent.objects.filter(ticket=ticket, kind="quote_expired", public=True).exists()


def ist(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=IST)


def _resolution(ticket: Ticket) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, kind="resolution", superseded_at__isnull=True)


def test_a_quote_pauses_the_clocks_until_approved(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    ticket_services.ticket_start(actor=cast.ravi, ticket=ticket, now=ist(2026, 12, 7, 10, 5))
    services.quote_create(
        actor=cast.ravi,
        ticket=ticket,
        amount_inr="4999.00",
        description="Custom banner",
        valid_until=ist(2026, 12, 20),
        now=ist(2026, 12, 7, 12, 0),
    )
    assert _resolution(ticket).state == "paused"
    services.quote_approve(actor=cast.alice, ticket=ticket, now=ist(2026, 12, 8, 12, 0))
    resumed = _resolution(ticket)
    assert resumed.consumed == timedelta(hours=2)
    assert resumed.deadline == ist(2026, 12, 14, 18, 0)  # 38 h from Tue 12:00
