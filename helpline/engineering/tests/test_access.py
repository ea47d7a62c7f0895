"""Who sees developer tickets and who may escalate (``engineering.access``), and the engineer's
view of the merchant tickets linked to a developer ticket (``tickets.access``)."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.conftest import T0
from helpline.engineering import access, services
from helpline.engineering.models import DevTicket
from helpline.tickets import access as ticket_access
from helpline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_linked_tickets_developer_tickets_and_escalation(cast: Any) -> None:
    shoes = cast.ticket(
        store=cast.acme_shoes, subject="Shoes", description="Images do not load", priority="C3"
    )
    gadgets = cast.ticket(
        who="bob",
        store=cast.bolt_gadgets,
        subject="Gadgets",
        description="Images do not load",
        priority="C3",
    )
    assert access.may_escalate(cast.maya, shoes) and access.may_escalate(cast.ravi, gadgets)
    assert not access.may_escalate(cast.maya, gadgets)  # not her store
    assert not access.may_escalate(cast.alice, shoes) and not access.may_escalate(cast.eric, shoes)

    dev = services.devticket_open(actor=cast.ravi, title="CDN 403", ticket_ids=[shoes.pk], now=T0)

    def devs(user: Any) -> list[DevTicket]:
        return list(DevTicket.objects.filter(access.devticket_scope(user)))

    assert devs(cast.eric) == devs(cast.ada) == devs(cast.maya) == [dev]
    assert devs(cast.alice) == devs(None) == []
    # The engineer now sees (and acts as engineer on) the linked ticket, not the other one.
    seen = Ticket.objects.filter(ticket_access.ticket_scope(cast.eric))
    assert list(seen) == [shoes]
    assert ticket_access.capacity(cast.eric, shoes) == "engineer"
    assert ticket_access.capacity(cast.eric, gadgets) is None
