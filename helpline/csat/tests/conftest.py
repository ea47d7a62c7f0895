"""A resolved ticket with its survey, for the CSAT tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from helpline.conftest import T0, Cast

RESOLVED = T0 + timedelta(hours=2)  # Tue 24 Nov 2026 12:30 IST
ALICE_WA = "+919800000001"


def resolve(cast: Cast, ticket: Any, *, at: Any = RESOLVED) -> Any:
    from helpline.tickets import services as tickets

    return tickets.ticket_resolve(
        actor=cast.ravi, ticket=ticket, message="Images are back.", now=at
    )


@pytest.fixture
def resolved(cast: Cast) -> Any:
    return resolved_ticket(cast)


def resolved_ticket(cast: Cast) -> Any:
    """Alice's ticket on Acme Shoes (Maya manages it), triaged to Ravi in the Support team and
    resolved at ``RESOLVED``; Alice has a WhatsApp number."""
    from helpline.accounts import services as accounts

    accounts.user_whatsapp_set(user=cast.alice, whatsapp=ALICE_WA)
    cast.alice.refresh_from_db()
    ticket = cast.ticket()
    cast.triage(ticket, team=cast.team)
    return resolve(cast, ticket)
