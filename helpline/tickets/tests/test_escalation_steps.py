"""The escalation chain's steps on the clocks: each step recorded at its true instant on the
target's calendar, net of pauses, once per start (docs/policy.md, "Clocks on a ticket" and
"Ownership and routing"). A C3 filed Monday 7 Dec 2026 10:00 IST: first response (8 business
hours) steps at 14:00 (50 %) and 16:00 (75 %), breach at 18:00."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpline.sla import services as sla_services
from helpline.sla.models import EscalationStep
from helpline.tickets import services, sweeps
from helpline.tickets.models import Ticket, TicketClock, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def ist(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=IST)


def clock(ticket: Ticket, kind: str) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, kind=kind, superseded_at__isnull=True)


def warnings(ticket: Ticket, target: str) -> list[tuple[int, datetime]]:
    rows = TicketEvent.objects.filter(ticket=ticket, kind="sla_warning").order_by("created_at")
    return [(after(e)["percent"], e.created_at) for e in rows if after(e)["target"] == target]


def after(event: TicketEvent) -> dict:
    return event.after if isinstance(event.after, dict) else {}


def test_each_step_is_recorded_at_its_true_instant_by_a_late_sweep(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))
    first = clock(ticket, "first_response")
    assert (first.warn_at, first.warn_step) == (ist(7, 14), 0)  # the next step: 50 %
    assert sweeps.clocks_sweep(now=ist(7, 13, 59)) == 0
    assert sweeps.clocks_sweep(now=ist(9, 9)) >= 3  # noticed two days late: 50 %, 75 %, breach
    assert warnings(ticket, "first_response") == [(50, ist(7, 14)), (75, ist(7, 16))]
    first = clock(ticket, "first_response")
    assert first.breached_at == ist(7, 18) and first.warn_at is None
    assert first.warned_at == ist(7, 16)
    # The resolution's 50 % (20 business hours) falls on Wed 14:00: inside business hours.
    assert warnings(ticket, "resolution") == []
    assert clock(ticket, "resolution").warn_at == ist(9, 14)
    assert sweeps.clocks_sweep(now=ist(9, 14)) == 1
    assert warnings(ticket, "resolution") == [(50, ist(9, 14))]
    assert sweeps.clocks_sweep(now=ist(9, 15)) == 0  # once


def test_a_step_falls_inside_business_hours_net_of_pauses(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))
    cast.triage(ticket, team=cast.team, at=ist(7, 11))
    services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="Which theme?", question=True, now=ist(7, 12)
    )
    assert clock(ticket, "resolution").warn_at is None  # paused: no step can fall
    assert sweeps.clocks_sweep(now=ist(8, 9)) == 0
    services.ticket_reply(actor=cast.alice, ticket=ticket, body="Dawn", now=ist(8, 10))
    # 2 business hours used; 50 % is 20: 18 more from Tue 10:00 → Thu 10 Dec 12:00.
    assert clock(ticket, "resolution").warn_at == ist(10, 12)
    sweeps.clocks_sweep(now=ist(10, 12))
    assert warnings(ticket, "resolution") == [(50, ist(10, 12))]
    # 75 % (30 h): 10 more business hours from the resumption's layout → Fri 11 Dec 14:00.
    assert clock(ticket, "resolution").warn_at == ist(11, 14)


def test_a_step_is_announced_once_per_start_across_a_pause(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))
    cast.triage(ticket, team=cast.team, at=ist(7, 11))
    services.ticket_reply(actor=cast.ravi, ticket=ticket, body="On it", now=ist(7, 12))
    sweeps.clocks_sweep(now=ist(9, 15))  # resolution's 50 % at Wed 14:00
    services.ticket_reply(
        actor=cast.ravi, ticket=ticket, body="Which theme?", question=True, now=ist(9, 16)
    )
    services.ticket_reply(actor=cast.alice, ticket=ticket, body="Dawn", now=ist(14, 10))
    resolution = clock(ticket, "resolution")
    assert resolution.warn_step == 51  # the 50 % step is behind it; the 75 % is next
    # Used by Wed 16:00: 8 + 8 + 6 = 22 h; 75 % is 30: 8 more from Mon 14 Dec 10:00 → 18:00.
    assert resolution.warn_at == ist(14, 18)
    sweeps.clocks_sweep(now=ist(14, 18))
    assert [p for p, _ in warnings(ticket, "resolution")] == [50, 75]


@pytest.mark.parametrize("percent_at", [(50, 14), (75, 16)])
def test_a_target_met_at_its_step_instant_raises_no_warning_for_it(cast, percent_at) -> None:
    percent, hour = percent_at
    ticket = cast.ticket(at=ist(7, 10))
    cast.triage(ticket, team=cast.team, at=ist(7, 11))
    if percent == 75:
        sweeps.clocks_sweep(now=ist(7, 15))  # the 50 % step is announced
    services.ticket_reply(actor=cast.ravi, ticket=ticket, body="On it", now=ist(7, hour))
    assert percent not in [p for p, _ in warnings(ticket, "first_response")]
    assert clock(ticket, "first_response").state == "met"
    assert sweeps.clocks_sweep(now=ist(7, 23)) == 0


def test_the_chain_is_policy_data_a_ticket_keeps_its_version(cast) -> None:
    old = cast.ticket(at=ist(7, 10))
    c3 = EscalationStep.objects.filter(priority__code="C3")
    half = c3.get(percent=50)
    EscalationStep.objects.create(priority=half.priority, percent=25, notify="assignee")
    half.delete()
    sla_services.policy_publish(note="warn C3 at 25 %", now=ist(7, 10))
    new = cast.ticket(at=ist(7, 10))
    assert clock(new, "first_response").warn_at == ist(7, 12)  # 25 % of 8 h
    assert clock(old, "first_response").warn_at == ist(7, 14)  # still 50 %, its version's
    sweeps.clocks_sweep(now=ist(7, 17))
    assert warnings(new, "first_response") == [(25, ist(7, 12)), (75, ist(7, 16))]
    assert warnings(old, "first_response") == [(50, ist(7, 14)), (75, ist(7, 16))]


def test_the_sweep_selects_the_clocks_whose_next_step_is_due(cast) -> None:
    for _ in range(3):
        cast.ticket(at=ist(7, 10))
    due = TicketClock.objects.filter(
        superseded_at__isnull=True, met_at__isnull=True, stopped_at__isnull=True
    ).filter(sweeps._due_filter(ist(7, 14)))
    assert due.count() == 3  # every first response's 50 % step, nothing else
