"""Who sees a ticket and in what capacity one acts on it (``tickets.access``), role by role:
staff see every ticket, an account manager those of the stores she manages, a merchant user
their merchant's, nobody signed out or deactivated anything."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.tickets import access
from helpline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(cast: Any) -> dict[str, Ticket]:
    return {
        "shoes": cast.ticket(
            store=cast.acme_shoes, subject="Shoes", description="Checkout fails", priority="C3"
        ),
        "outlet": cast.ticket(
            store=cast.acme_outlet, subject="Outlet", description="Checkout fails", priority="C3"
        ),
        "gadgets": cast.ticket(
            who="bob",
            store=cast.bolt_gadgets,
            subject="Gadgets",
            description="Checkout fails",
            priority="C3",
        ),
    }


def _seen(user: Any) -> set[str]:
    return set(Ticket.objects.filter(access.ticket_scope(user)).values_list("subject", flat=True))


def test_ticket_scope_by_role(cast: Any, tickets: dict[str, Ticket]) -> None:
    every = {"Shoes", "Outlet", "Gadgets"}
    assert _seen(cast.ravi) == _seen(cast.ada) == every
    assert _seen(cast.maya) == {"Shoes"}  # the account manager of Acme Shoes only
    assert _seen(cast.alice) == {"Shoes", "Outlet"}
    assert _seen(cast.bob) == {"Gadgets"}
    assert _seen(cast.eric) == set()  # an engineer: only tickets linked to developer tickets
    assert _seen(None) == set()
    cast.alice.is_active = False
    assert _seen(cast.alice) == set()


def test_capacity_by_role(cast: Any, tickets: dict[str, Ticket]) -> None:
    shoes, gadgets = tickets["shoes"], tickets["gadgets"]
    assert access.capacity(cast.ravi, gadgets) == access.capacity(cast.ada, shoes) == "staff"
    assert access.capacity(cast.maya, shoes) == "staff"
    assert access.capacity(cast.maya, gadgets) is None
    assert access.capacity(cast.alice, shoes) == "merchant"
    assert access.capacity(cast.alice, gadgets) is None
    assert access.capacity(cast.eric, shoes) is None  # not linked to a developer ticket
    assert access.capacity(None, shoes) is None


def test_visible_ticket_ids_is_the_same_scope(cast: Any, tickets: dict[str, Ticket]) -> None:
    for user in (cast.ravi, cast.maya, cast.alice, cast.bob, cast.eric, None):
        ids = set(
            Ticket.objects.filter(pk__in=access.visible_ticket_ids(user)).values_list(
                "pk", flat=True
            )
        )
        assert ids == set(
            Ticket.objects.filter(access.ticket_scope(user)).values_list("pk", flat=True)
        )
