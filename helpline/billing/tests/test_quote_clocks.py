"""A quote and the ticket's clocks (docs/policy.md, "Clocks on a ticket" and "Quotes"): a quote is
a public message, so it meets a pending first response when it is sent; a quote not decided
expires at its valid-until instant, however late the worker's sweep runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.billing import services, sweeps
from helpline.billing.models import Quote
from helpline.tickets import services as ticket_services
from helpline.tickets.models import Ticket, TicketClock, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def ist(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=IST)


def _clock(ticket: Ticket, kind: str) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, kind=kind, superseded_at__isnull=True)


def _met_events(ticket: Ticket, target: str) -> list[TicketEvent]:
    return [
        e
        for e in TicketEvent.objects.filter(ticket=ticket, kind="sla_met").order_by("pk")
        if (e.after or {}).get("target") == target
    ]


def _quote(cast: Any, ticket: Ticket, *, at: datetime, until: datetime) -> Quote:
    return services.quote_create(
        actor=cast.ravi,
        ticket=ticket,
        amount_inr="1500.00",
        description="Custom checkout banner",
        valid_until=until,
        now=at,
    )


def _triaged(cast: Any) -> Ticket:
    """Filed Monday 7 December 10:00 IST (business hours), triaged at 10:05: no reply yet."""
    ticket = cast.ticket(at=ist(7, 10))
    return cast.triage(ticket, at=ist(7, 10, 5))


# ---------------------------------------------------------------- the first response


def test_a_quote_meets_a_pending_first_response_when_it_is_sent(cast) -> None:
    ticket = _triaged(cast)
    assert _clock(ticket, "first_response").state == "running"
    _quote(cast, ticket, at=ist(7, 10, 40), until=ist(9, 18))
    first = _clock(ticket, "first_response")
    assert first.state == "met"
    assert first.met_at == ist(7, 10, 40)
    assert first.taken_business == timedelta(minutes=40)
    assert first.paused_since is None  # met, not left paused with the others
    [met] = _met_events(ticket, "first_response")
    assert met.created_at == ist(7, 10, 40)
    # The other targets pause as before.
    assert _clock(ticket, "resolution").state == "paused"


def test_a_later_reply_does_not_meet_the_first_response_again(cast) -> None:
    ticket = _triaged(cast)
    _quote(cast, ticket, at=ist(7, 10, 40), until=ist(9, 18))
    services.quote_approve(actor=cast.alice, ticket=ticket, now=ist(7, 11))
    ticket_services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="Starting on the banner now.", now=ist(7, 11, 30)
    )
    first = _clock(ticket, "first_response")
    assert first.met_at == ist(7, 10, 40)
    assert first.taken_business == timedelta(minutes=40)
    assert len(_met_events(ticket, "first_response")) == 1


def test_a_quote_after_the_first_response_changes_nothing_there(cast) -> None:
    ticket = _triaged(cast)
    ticket_services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="Looking into it.", now=ist(7, 10, 15)
    )
    before = TicketClock.objects.filter(pk=_clock(ticket, "first_response").pk).values().get()
    _quote(cast, ticket, at=ist(7, 10, 40), until=ist(9, 18))
    after = TicketClock.objects.filter(pk=before["id"]).values().get()
    assert after == before
    assert after["met_at"] == ist(7, 10, 15)
    assert len(_met_events(ticket, "first_response")) == 1
