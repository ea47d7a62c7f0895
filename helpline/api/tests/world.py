"""The world the tenancy, authentication and provisioning API tests act in: seven tickets of
Alice's and Bob's, some triaged, started, closed or breached, with time frozen after the sweep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from helpline.billing.models import Quote
from helpline.conftest import T0, Api, Cast
from helpline.tickets import services, sweeps
from helpline.tickets.models import Ticket, TicketClock, TicketEvent, TicketMessage

# T0 is Tue 24 Nov 2026 10:30 IST. The sweep at T0 + 3 h breaches the C1 tickets (24×7, store-down:
# 15 min / 60 min); API calls happen after it, at NOW, with time frozen.
SWEEP_AT = T0 + timedelta(hours=3)
NOW = T0 + timedelta(hours=4)


@dataclass
class World:
    cast: Cast
    a_shoes: Ticket  # Alice, Acme Shoes (Maya's store), C1 store-down, breached
    a_outlet: Ticket  # Alice, Acme Outlet (no manager), C3, triaged: Ravi, team Support
    a_new: Ticket  # Alice, Acme Shoes, C4, new
    b_c1: Ticket  # Bob, C1 store-down, new, breached
    b_triaged: Ticket  # Bob, C3, triaged: Ravi, team Support, due date
    b_started: Ticket  # Bob, C4, in progress
    b_closed: Ticket  # Bob, C2, withdrawn (closed)

    @property
    def bob_tickets(self) -> list[Ticket]:
        return [self.b_c1, self.b_triaged, self.b_started, self.b_closed]

    @property
    def alice_tickets(self) -> list[Ticket]:
        return [self.a_shoes, self.a_outlet, self.a_new]


@pytest.fixture
def world(cast: Cast, time_machine: Any) -> World:
    c = cast
    a_shoes = c.ticket(
        subject="store-down on Acme Shoes",
        description="Something is wrong.",
        issue_type="store-down",
    )
    a_outlet = c.ticket(
        store=c.acme_outlet,
        subject="functionality on Acme Outlet",
        description="Something is wrong.",
        issue_type="functionality",
    )
    a_new = c.ticket(
        subject="minor on Acme Shoes", description="Something is wrong.", issue_type="minor"
    )
    b_c1 = c.ticket(
        who="bob",
        subject="store-down on Bolt Gadgets",
        description="Something is wrong.",
        issue_type="store-down",
    )
    b_triaged = c.ticket(
        who="bob",
        subject="functionality on Bolt Gadgets",
        description="Something is wrong.",
        issue_type="functionality",
    )
    b_started = c.ticket(
        who="bob",
        subject="feature-request on Bolt Gadgets",
        description="Something is wrong.",
        issue_type="feature-request",
    )
    b_closed = c.ticket(
        who="bob",
        subject="feature-broken on Bolt Gadgets",
        description="Something is wrong.",
        issue_type="feature-broken",
    )
    at = T0 + timedelta(minutes=1)
    for ticket in (a_outlet, b_triaged):
        c.triage(ticket, assignee=c.ravi, team=c.team, at=at)
    services.ticket_start(actor=c.lena, ticket=b_started, now=at)
    services.ticket_withdraw(actor=c.bob, ticket=b_closed, now=at)
    assert sweeps.clocks_sweep(now=SWEEP_AT) > 0
    time_machine.move_to(NOW, tick=False)
    return World(c, a_shoes, a_outlet, a_new, b_c1, b_triaged, b_started, b_closed)


def snapshot(ticket_id: int) -> dict[str, Any]:
    """Everything a call on a ticket could write."""
    return {
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "messages": TicketMessage.objects.count(),
        "quotes": Quote.objects.count(),
        "row": Ticket.objects.filter(pk=ticket_id).values().get(),
        "clocks": list(TicketClock.objects.filter(ticket_id=ticket_id).order_by("pk").values()),
    }


def missing_ticket_id() -> int:
    return Ticket.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000


def warm(api: Api) -> None:
    """One authenticated call first: the token's last-use write is not what a test measures."""
    assert api.get("me").status_code == 200
