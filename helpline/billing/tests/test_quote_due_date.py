"""A quote carries the due date that follows from its scope (docs/policy.md "Due date and
compliance"): approving accepts the cost and the due date, which moves with a public event; a
quote without one moves it to the policy's resolution deadline laid out from the approval.

Business hours Mon–Fri 10:00–18:00 IST; the C3 resolution target is 40 business hours.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from helpline.billing import services
from helpline.billing.models import Quote
from helpline.core.errors import InvalidInput
from helpline.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=IST)


def _triaged(cast: Any) -> Ticket:
    ticket = cast.ticket(at=ist(7, 10))
    return cast.triage(ticket, at=ist(7, 10, 5))


def _quote(cast: Any, ticket: Ticket, due_at: datetime | None) -> Quote:
    return services.quote_create(
        actor=cast.ravi,
        ticket=ticket,
        amount_inr="1500.00",
        description="Custom checkout banner",
        valid_until=ist(10, 18),
        due_at=due_at,
        now=ist(7, 12),
    )


def _due_events(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, kind="due_date").order_by("pk"))


def test_approving_a_quote_accepts_its_due_date(cast) -> None:
    ticket = _triaged(cast)
    first = ticket.due_at
    assert first is not None
    quote = _quote(cast, ticket, ist(24, 18))
    assert quote.due_at == ist(24, 18)
    services.quote_approve(actor=cast.alice, ticket=ticket, now=ist(8, 11))
    ticket.refresh_from_db()
    assert ticket.due_at == ist(24, 18) and ticket.first_due_at == first
    moved = _due_events(ticket)[-1]
    assert moved.public and moved.reason == "quote approved"
    assert moved.before == first.isoformat()
    assert moved.after == ist(24, 18).astimezone(UTC).isoformat()
    assert moved.actor == cast.alice


def test_a_quote_without_a_due_date_lays_the_policy_out_from_the_approval(cast) -> None:
    ticket = _triaged(cast)
    _quote(cast, ticket, None)
    # Approved Tuesday 11:00 IST: 40 business hours = 7 (Tue) + 8 × 4 (Wed–Mon) + 1 (Tue).
    services.quote_approve(actor=cast.alice, ticket=ticket, now=ist(8, 11))
    ticket.refresh_from_db()
    assert ticket.due_at == ist(15, 11)
    assert _due_events(ticket)[-1].reason == "quote approved"


def test_a_declined_quote_leaves_the_due_date(cast) -> None:
    ticket = _triaged(cast)
    first = ticket.due_at
    _quote(cast, ticket, ist(24, 18))
    services.quote_decline(actor=cast.alice, ticket=ticket, reason="too dear", now=ist(8, 11))
    ticket.refresh_from_db()
    assert ticket.due_at == first and len(_due_events(ticket)) == 1


@pytest.mark.parametrize(
    ("due_at", "words"),
    [(ist(6, 12), "later than its valid_until"), (ist(10, 17), "later than its valid_until")],
)
def test_a_quote_due_date_before_its_validity_ends_is_refused(cast, due_at, words) -> None:
    ticket = _triaged(cast)
    with pytest.raises(InvalidInput, match=words) as err:
        _quote(cast, ticket, due_at)
    assert err.value.code == "invalid_due_at" and err.value.extra["field"] == "due_at"
    ticket.refresh_from_db()
    assert ticket.status == "triaged" and not Quote.objects.exists()


def test_the_api_takes_and_shows_a_quote_due_date_and_refuses_a_past_one(cast) -> None:
    with time_machine.travel(ist(7, 12), tick=False):
        ticket = _triaged(cast)
        events = TicketEvent.objects.filter(ticket=ticket).count()
        api = cast.api("ravi")
        body = {"amount_inr": "900.00", "description": "Extra"}
        body["valid_until"] = "2026-12-09T12:00:00Z"
        past = api.post(f"tickets/{ticket.pk}/quotes", {**body, "due_at": "2026-12-01T12:00:00Z"})
        assert past.status_code == 422
        assert past.json_body["code"] == "invalid_due_at" and "due_at" in past.json_body["detail"]
        assert not Quote.objects.exists()
        assert TicketEvent.objects.filter(ticket=ticket).count() == events
        made = api.post(f"tickets/{ticket.pk}/quotes", {**body, "due_at": "2026-12-18T12:00:00Z"})
        assert made.status_code == 201 and made.json_body["due_at"] == "2026-12-18T12:00:00Z"
        shown = cast.api("alice").get(f"quotes/{made.json_body['id']}").json_body
        assert shown["due_at"] == "2026-12-18T12:00:00Z" and shown["total_inr"] == "1062.00"
