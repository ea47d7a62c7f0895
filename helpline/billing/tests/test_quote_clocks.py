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
from helpline.core.errors import Conflict
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


# ---------------------------------------------------------------- expiry at valid_until


def _quoted(cast: Any) -> tuple[Ticket, Quote]:
    """Quoted Monday 12:00 (two business hours into the resolution), valid until 15:00."""
    ticket = _triaged(cast)
    return ticket, _quote(cast, ticket, at=ist(7, 12), until=ist(7, 15))


def test_a_late_sweep_expires_the_quote_at_its_valid_until_instant(cast) -> None:
    ticket, quote = _quoted(cast)
    assert _clock(ticket, "resolution").state == "paused"
    assert sweeps.quotes_expire(now=ist(7, 18)) == 1  # the sweep runs three hours late
    quote.refresh_from_db()
    assert quote.status == "expired"
    assert quote.decided_at == ist(7, 15)
    expiry = TicketEvent.objects.filter(ticket=ticket, created_at__gt=ist(7, 12))
    assert sorted(expiry.values_list("kind", flat=True)) == ["quote_expired", "status"]
    assert {e.created_at for e in expiry} == {ist(7, 15)}
    ticket.refresh_from_db()
    assert ticket.status == "triaged"
    assert ticket.updated_at == ist(7, 15)
    resolution = _clock(ticket, "resolution")
    assert resolution.state == "running"
    assert resolution.paused_since is None
    assert resolution.segment_started_at == ist(7, 15)  # the pause ended at valid_until
    assert resolution.consumed == timedelta(hours=2)
    # The 38 business hours left (of 40) laid out from Monday 15:00 on 10:00-18:00 weekdays,
    # as an approval at 15:00 would have; from the sweep's 18:00 it would be Monday 16:00.
    assert resolution.deadline == ist(14, 13)
    assert resolution.warn_at == ist(9, 17)  # the chain's 50 % step: 20 h of 40, less 2 h used
    assert _clock(ticket, "first_response").met_at == ist(7, 12)  # met by the quote


def test_a_sweep_before_valid_until_expires_nothing(cast) -> None:
    ticket, quote = _quoted(cast)
    assert sweeps.quotes_expire(now=ist(7, 14, 59, 59)) == 0
    quote.refresh_from_db()
    ticket.refresh_from_db()
    assert quote.status == "pending" and quote.decided_at is None
    assert ticket.status == "awaiting_approval"
    assert _clock(ticket, "resolution").state == "paused"
    assert not TicketEvent.objects.filter(ticket=ticket, kind="quote_expired").exists()
    assert sweeps.quotes_expire(now=ist(7, 15)) == 1  # due at the instant itself


def test_running_the_sweep_twice_expires_once(cast) -> None:
    ticket, quote = _quoted(cast)
    assert sweeps.quotes_expire(now=ist(7, 18)) == 1
    assert sweeps.quotes_expire(now=ist(7, 18)) == 0
    assert sweeps.quotes_expire(now=ist(8, 12)) == 0
    assert TicketEvent.objects.filter(ticket=ticket, kind="quote_expired").count() == 1
    quote.refresh_from_db()
    assert quote.decided_at == ist(7, 15)


def test_a_worker_late_to_an_expired_quote_does_not_expire_the_next_one(cast) -> None:
    """Two workers read the same due ticket; the first expires its quote and staff send a new
    one before the second gets the lock: the second finds the new quote still valid, a 409."""
    ticket, _ = _quoted(cast)
    due = services.quotes_due_for_expiry(now=ist(7, 18))
    assert due == [ticket.pk]
    assert sweeps.quotes_expire(now=ist(7, 18)) == 1
    newer = _quote(cast, ticket, at=ist(7, 18, 5), until=ist(9, 18))
    with pytest.raises(Conflict):
        services.quote_expire(ticket=due[0], reason="the quote expired", now=ist(7, 18, 10))
    newer.refresh_from_db()
    assert newer.status == "pending"
    assert Ticket.objects.get(pk=ticket.pk).status == "awaiting_approval"


def test_a_message_after_valid_until_does_not_move_the_expiry(cast) -> None:
    """The merchant writes at 16:00 ("is the quote still valid?"), before the sweep sees the
    quote: it expired at 15:00 all the same; "last updated" stays at the message."""
    ticket, quote = _quoted(cast)
    ticket_services.ticket_reply(
        actor=cast.alice, ticket=ticket, body="Is the quote still valid?", now=ist(7, 16)
    )
    assert sweeps.quotes_expire(now=ist(7, 18)) == 1
    quote.refresh_from_db()
    assert quote.decided_at == ist(7, 15)
    ticket.refresh_from_db()
    assert ticket.updated_at == ist(7, 16)
    resolution = _clock(ticket, "resolution")
    assert resolution.segment_started_at == ist(7, 15)
    assert resolution.deadline == ist(14, 13)


def test_a_target_raised_after_valid_until_resumes_at_valid_until(cast) -> None:
    """Staff raise the priority at 16:00, before the sweep: the resolution target becomes C2's,
    still paused (the ticket still awaits approval) with the 2 h it used, keeping its start
    (decision 0091). The expiry at 15:00 ends the pause at 15:00: C2's 24 business hours run
    from there — never later than the change + 24 h."""
    ticket, _ = _quoted(cast)
    ticket_services.ticket_update(
        actor=cast.ravi, ticket=ticket, priority="C2", reason="Checkout down", now=ist(7, 16)
    )
    raised = _clock(ticket, "resolution")
    assert (raised.priority, raised.started_at, raised.state) == ("C2", ist(7, 10), "paused")
    assert raised.consumed == timedelta(hours=2)
    assert sweeps.quotes_expire(now=ist(7, 18)) == 1
    resolution = _clock(ticket, "resolution")
    assert resolution.pk == raised.pk
    assert resolution.segment_started_at == ist(7, 15)
    assert resolution.deadline == ist(10, 15)  # Mon 15:00 + 24 business hours


# ---------------------------------------------------------------- decided too late


@pytest.mark.parametrize("decide", [services.quote_approve, services.quote_decline])
def test_a_quote_past_its_validity_can_no_longer_be_decided(cast, decide) -> None:
    ticket = _triaged(cast)
    _quote(cast, ticket, at=ist(7, 11), until=ist(7, 15))
    before = TicketEvent.objects.filter(ticket=ticket).count()
    extra = {"reason": "Too late anyway"} if decide is services.quote_decline else {}
    with pytest.raises(Conflict) as refused:
        decide(actor=cast.alice, ticket=ticket, now=ist(7, 15), **extra)
    assert refused.value.code == "quote_expired"
    quote = Quote.objects.get(ticket=ticket)
    assert quote.status == Quote.Status.PENDING and quote.decided_at is None  # nothing written
    assert TicketEvent.objects.filter(ticket=ticket).count() == before
    # The sweep records the expiry at the instant the validity ended.
    assert sweeps.quotes_expire(now=ist(7, 16)) == 1
    quote.refresh_from_db()
    assert quote.status == Quote.Status.EXPIRED and quote.decided_at == ist(7, 15)


def test_a_quote_decided_just_before_its_validity_ends_is_accepted(cast) -> None:
    ticket = _triaged(cast)
    _quote(cast, ticket, at=ist(7, 11), until=ist(7, 15))
    quote = services.quote_approve(actor=cast.alice, ticket=ticket, now=ist(7, 14, 59, 59))
    assert quote.status == Quote.Status.APPROVED
