"""The clocks on real tickets, with an injected ``now`` (docs/policy.md, "Clocks on a ticket")."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.core.errors import InvalidInput
from helpline.tickets import services, sweeps
from helpline.tickets.models import Ticket, TicketClock, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def ist(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=IST)


def clock(ticket: Ticket, kind: str) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, kind=kind, superseded_at__isnull=True)


def test_first_response_is_met_by_a_public_reply_not_by_a_note(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 11, 0))
    services.ticket_reply(
        actor=cast.ravi,
        ticket=ticket,
        body="checking logs",
        internal=True,
        now=ist(2026, 12, 7, 12),
    )
    assert clock(ticket, "first_response").state == "running"
    services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="We are on it", now=ist(2026, 12, 7, 13, 30)
    )
    first = clock(ticket, "first_response")
    assert first.state == "met"
    assert first.met_at == ist(2026, 12, 7, 13, 30)
    assert first.taken_business == timedelta(hours=2, minutes=30)
    assert first.taken_wall == timedelta(hours=2, minutes=30)
    assert clock(ticket, "resolution").state == "running"


def test_a_merchant_message_does_not_meet_the_first_response(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 11, 0))
    services.ticket_reply(
        actor=cast.alice, ticket=ticket, body="any news?", now=ist(2026, 12, 7, 12)
    )
    assert clock(ticket, "first_response").state == "running"


def test_pause_and_resume_across_a_weekend(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))  # Monday 10:00; resolution 40 h → Fri 18:00
    services.ticket_reply(actor=cast.ravi, ticket=ticket, body="Hi", now=ist(2026, 12, 7, 10, 30))
    services.ticket_start(actor=cast.ravi, ticket=ticket, now=ist(2026, 12, 7, 10, 31))
    services.ticket_reply(
        actor=cast.ravi,
        ticket=ticket,
        body="Which theme?",
        question=True,
        now=ist(2026, 12, 11, 16, 0),
    )  # 38 business hours used
    paused = clock(ticket, "resolution")
    assert paused.state == "paused"
    assert paused.deadline is None
    assert paused.consumed == timedelta(hours=38)
    # A paused target cannot breach: Friday 18:00 passes without a breach.
    sweeps.clocks_sweep(now=ist(2026, 12, 14, 10, 30))
    assert clock(ticket, "resolution").breached_at is None
    # The merchant answers on Monday at 11:00: 2 business hours remain → 13:00.
    services.ticket_reply(
        actor=cast.alice, ticket=ticket, body="Dawn theme", now=ist(2026, 12, 14, 11, 0)
    )
    resumed = clock(ticket, "resolution")
    assert resumed.state == "running"
    assert resumed.deadline == ist(2026, 12, 14, 13, 0)
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


def test_the_c1_workaround_meets_resolution_and_drops_to_c2(cast) -> None:
    # Saturday night
    ticket = cast.ticket(at=ist(2026, 12, 12, 2, 0), issue_type="transactions-failing")
    c1 = clock(ticket, "resolution")
    assert (c1.priority, c1.deadline) == ("C1", ist(2026, 12, 12, 8, 0))
    services.ticket_workaround(
        actor=cast.ravi,
        ticket=ticket,
        message="Switched gateway to backup",
        now=ist(2026, 12, 12, 3, 30),
    )
    ticket.refresh_from_db()
    assert ticket.priority == "C2"
    old = TicketClock.objects.get(ticket=ticket, kind="resolution", priority="C1")
    assert old.state == "met" and old.superseded_at is not None
    assert old.taken_wall == timedelta(hours=1, minutes=30)
    assert clock(ticket, "first_response").state == "met"  # the workaround's message answers
    c2 = clock(ticket, "resolution")
    # C2: 24 business hours from Saturday 03:30 → counting starts Monday 10:00 → Wednesday 18:00.
    assert (c2.priority, c2.started_at, c2.deadline) == (
        "C2",
        ist(2026, 12, 12, 3, 30),
        ist(2026, 12, 16, 18, 0),
    )
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert "workaround" in kinds and "priority" in kinds
    priority_event = TicketEvent.objects.get(ticket=ticket, kind="priority")
    assert (priority_event.before, priority_event.after, priority_event.public) == (
        "C1",
        "C2",
        True,
    )


def test_reprioritising_up_restarts_pending_targets_and_keeps_met_ones(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="Looking", now=ist(2026, 12, 7, 10, 20)
    )
    with pytest.raises(InvalidInput, match="reason"):
        services.ticket_update(
            actor=cast.ravi, ticket=ticket, priority="C1", now=ist(2026, 12, 7, 11)
        )
    services.ticket_update(
        actor=cast.ravi,
        ticket=ticket,
        priority="C1",
        reason="all checkouts fail",
        now=ist(2026, 12, 7, 11),
    )
    first = clock(ticket, "first_response")
    assert (first.state, first.priority) == ("met", "C3")
    resolution = clock(ticket, "resolution")
    # Raised: the earlier of the C3 deadline (Fri 18:00) and the change + 6 h around the clock;
    # the target keeps the start it had.
    assert (resolution.priority, resolution.started_at) == ("C1", ist(2026, 12, 7, 10))
    assert resolution.deadline == ist(2026, 12, 7, 17, 0)
    assert TicketEvent.objects.get(ticket=ticket, kind="priority").reason == "all checkouts fail"


def test_reprioritising_down_lays_out_again_as_if_filed_at_the_lower_priority(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0), priority="C2")
    services.ticket_update(
        actor=cast.ravi, ticket=ticket, priority="C4", reason="cosmetic", now=ist(2026, 12, 8, 10)
    )
    # C2's 4 h passed on Monday 14:00: that breach stays on record, on the C2 row …
    old = TicketClock.objects.get(ticket=ticket, kind="first_response", priority="C2")
    assert (old.state, old.breached_at) == ("breached", ist(2026, 12, 7, 14, 0))
    # … and C4's 16 h from Monday 10:00 end on Tuesday 18:00: running, as if filed at C4.
    first = clock(ticket, "first_response")
    assert (first.state, first.priority, first.deadline) == ("running", "C4", ist(2026, 12, 8, 18))
    resolution = clock(ticket, "resolution")
    assert (resolution.priority, resolution.deadline) == (
        "C4",
        ist(2026, 12, 18, 18, 0),
    )  # 80 h from Mon 7 10:00
    moved = TicketEvent.objects.filter(ticket=ticket, kind="sla_restarted").order_by("pk")
    assert [((e.after or {})["target"], (e.after or {})["rule"], e.reason) for e in moved] == [
        ("first_response", "lowered", "cosmetic"),
        ("resolution", "lowered", "cosmetic"),
    ]


def test_reopen_resumes_the_resolution_clock_without_the_resolved_interval(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))  # resolution 40 h
    services.ticket_resolve(
        actor=cast.ravi,
        ticket=ticket,
        message="Fixed the CDN",
        now=ist(2026, 12, 8, 10, 0),
    )  # 8 h used
    resolved = clock(ticket, "resolution")
    assert resolved.state == "met" and resolved.taken_business == timedelta(hours=8)
    services.ticket_reopen(
        actor=cast.alice,
        ticket=ticket,
        reason="still broken",
        now=ist(2026, 12, 10, 10, 0),
    )
    reopened = clock(ticket, "resolution")
    assert reopened.state == "running"
    assert reopened.deadline == ist(2026, 12, 15, 18, 0)  # 32 h left from Thursday 10:00
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.resolved_at is None


def test_a_merchant_message_on_a_resolved_ticket_reopens_it(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    services.ticket_resolve(
        actor=cast.ravi, ticket=ticket, message="Done", now=ist(2026, 12, 7, 12)
    )
    services.ticket_reply(
        actor=cast.alice, ticket=ticket, body="Not fixed on mobile", now=ist(2026, 12, 7, 15)
    )
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    # 2 h used before the resolution; 38 h laid out from Monday 15:00 → next Monday 13:00.
    assert clock(ticket, "resolution").deadline == ist(2026, 12, 14, 13, 0)


def test_a_due_date_later_than_the_policys_needs_a_reason(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    late = ist(2026, 12, 18, 18, 0)
    with pytest.raises(InvalidInput, match="needs a reason"):
        services.ticket_triage(
            actor=cast.ravi, ticket=ticket, due_at=late, now=ist(2026, 12, 7, 11)
        )
    services.ticket_triage(
        actor=cast.ravi,
        ticket=ticket,
        due_at=late,
        reason="needs a theme release",
        now=ist(2026, 12, 7, 11),
    )
    ticket.refresh_from_db()
    assert (ticket.due_at, ticket.due_reason) == (late, "needs a theme release")
    event = TicketEvent.objects.get(ticket=ticket, kind="due_date")
    assert event.public and event.reason == "needs a theme release"


def test_triage_defaults_the_due_date_to_the_policy_deadline_and_it_does_not_move_by_itself(
    cast,
) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    services.ticket_triage(actor=cast.ravi, ticket=ticket, now=ist(2026, 12, 7, 11))
    ticket.refresh_from_db()
    assert ticket.due_at == ist(2026, 12, 11, 18, 0)
    services.ticket_update(
        actor=cast.ravi,
        ticket=ticket,
        priority="C4",
        reason="enhancement",
        now=ist(2026, 12, 7, 12),
    )
    ticket.refresh_from_db()
    assert ticket.due_at == ist(2026, 12, 11, 18, 0)
    with pytest.raises(InvalidInput, match="needs a reason"):
        services.ticket_update(
            actor=cast.ravi, ticket=ticket, due_at=ist(2026, 12, 10, 18), now=ist(2026, 12, 7, 12)
        )


def test_a_breach_is_recorded_at_its_true_instant_by_a_late_sweep(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))  # first response due Mon 18:00
    assert sweeps.clocks_sweep(now=ist(2026, 12, 7, 17, 0)) == 2  # 50 % at 14:00, 75 % at 16:00
    warned = clock(ticket, "first_response")
    assert warned.warned_at == ist(2026, 12, 7, 16, 0)
    assert sweeps.clocks_sweep(now=ist(2026, 12, 9, 9, 0)) >= 1  # noticed two days late
    breached = clock(ticket, "first_response")
    assert breached.breached_at == ist(2026, 12, 7, 18, 0)
    assert sweeps.clocks_sweep(now=ist(2026, 12, 9, 9, 5)) == 0  # once
    event = TicketEvent.objects.get(ticket=ticket, kind="sla_breached")
    assert event.created_at == ist(2026, 12, 7, 18, 0) and not event.public


def test_a_late_reply_meets_the_target_but_it_stays_breached(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="Sorry for the wait", now=ist(2026, 12, 8, 11)
    )
    first = clock(ticket, "first_response")
    assert first.state == "breached"
    assert first.breached_at == ist(2026, 12, 7, 18, 0)
    assert first.met_at == ist(2026, 12, 8, 11) and first.taken_business == timedelta(hours=9)


def test_c2_filed_after_hours_starts_at_the_next_opening(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 11, 17, 0), priority="C2")  # Friday 17:00
    assert clock(ticket, "resolution").deadline == ist(2026, 12, 16, 17, 0)
    late = cast.ticket(at=ist(2026, 12, 11, 21, 0), priority="C3")  # Friday night
    assert clock(late, "first_response").deadline == ist(2026, 12, 14, 18, 0)


def test_withdrawal_stops_every_pending_target_without_meeting_it(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    services.ticket_withdraw(actor=cast.alice, ticket=ticket, now=ist(2026, 12, 7, 11))
    for kind in ("first_response", "resolution"):
        stopped = clock(ticket, kind)
        assert stopped.state == "stopped" and stopped.met_at is None
    assert sweeps.clocks_sweep(now=ist(2026, 12, 20)) == 0


def test_a_breached_target_keeps_the_deadline_it_missed_across_a_pause(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))  # resolution due Fri 11 Dec 18:00
    services.ticket_start(actor=cast.ravi, ticket=ticket, now=ist(2026, 12, 7, 11))
    services.ticket_reply(
        actor=cast.ravi,
        ticket=ticket,
        body="Which theme?",
        question=True,
        now=ist(2026, 12, 14, 10),
    )
    services.ticket_reply(actor=cast.alice, ticket=ticket, body="Dawn", now=ist(2026, 12, 15, 10))
    resolution = clock(ticket, "resolution")
    assert resolution.breached_at == ist(2026, 12, 11, 18, 0)
    assert resolution.deadline == ist(2026, 12, 11, 18, 0)
    assert resolution.state == "breached"


def test_a_reply_at_exactly_the_warning_instant_raises_no_warning(cast) -> None:
    from helpline.outbox.models import Outbox

    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))  # first response: steps 14:00, 16:00
    cast.triage(ticket, team=cast.team, at=ist(2026, 12, 7, 11, 0))  # Ravi would be warned
    assert clock(ticket, "first_response").warn_at == ist(2026, 12, 7, 14, 0)
    services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="We are on it", now=ist(2026, 12, 7, 14, 0)
    )
    first = clock(ticket, "first_response")
    assert first.state == "met" and first.warned_at is None and first.warn_at is None
    assert not TicketEvent.objects.filter(ticket=ticket, kind="sla_warning").exists()
    assert not Outbox.objects.filter(kind="sla_warning").exists()
    assert sweeps.clocks_sweep(now=ist(2026, 12, 7, 17, 0)) == 0


def test_resolving_at_exactly_the_warning_instant_raises_no_warning(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="We are on it", now=ist(2026, 12, 7, 11, 0)
    )
    services.ticket_start(actor=cast.ravi, ticket=ticket, now=ist(2026, 12, 7, 11, 0))
    warn_at = clock(ticket, "resolution").warn_at
    assert warn_at is not None
    services.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Fixed", now=warn_at)
    resolution = clock(ticket, "resolution")
    assert resolution.state == "met" and resolution.warned_at is None
    assert not TicketEvent.objects.filter(ticket=ticket, kind="sla_warning").exists()


def test_a_reply_just_after_the_warning_instant_still_records_the_warning(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    reply_at = ist(2026, 12, 7, 16, 0) + timedelta(microseconds=1)
    services.ticket_reply(actor=cast.ravi, ticket=ticket, body="On it", now=reply_at)
    first = clock(ticket, "first_response")
    assert first.state == "met" and first.warned_at == ist(2026, 12, 7, 16, 0)
    warned = TicketEvent.objects.filter(ticket=ticket, kind="sla_warning").order_by("pk")
    assert [e.created_at for e in warned] == [ist(2026, 12, 7, 14, 0), ist(2026, 12, 7, 16, 0)]


def test_a_reply_at_exactly_the_deadline_is_recorded_as_a_breach(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    services.ticket_reply(actor=cast.ravi, ticket=ticket, body="On it", now=ist(2026, 12, 7, 18))
    first = clock(ticket, "first_response")
    assert first.breached_at == ist(2026, 12, 7, 18, 0) and first.met_at == ist(2026, 12, 7, 18)
    assert first.warned_at == ist(2026, 12, 7, 16, 0)


def test_the_sweep_at_exactly_the_warning_instant_warns_a_pending_target(cast) -> None:
    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    assert sweeps.clocks_sweep(now=ist(2026, 12, 7, 16, 0)) == 2  # 50 % at 14:00 and 75 %
    assert clock(ticket, "first_response").warned_at == ist(2026, 12, 7, 16, 0)


def test_a_note_at_exactly_the_warning_instant_warns_the_pending_target(cast) -> None:
    from helpline.outbox.models import Outbox

    ticket = cast.ticket(at=ist(2026, 12, 7, 10, 0))
    cast.triage(ticket, team=cast.team, at=ist(2026, 12, 7, 11, 0))
    services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="looking", internal=True, now=ist(2026, 12, 7, 14)
    )
    assert clock(ticket, "first_response").warned_at == ist(2026, 12, 7, 14, 0)  # the 50 %
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_warning").count() == 1
    assert Outbox.objects.filter(kind="sla_warning").count() == 1
