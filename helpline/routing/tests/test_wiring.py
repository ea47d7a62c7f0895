"""Routing's loose ends wired: the worker's step moves the work of an agent whose leave began
since (``assignment.leave_sweep``), and the first response's 50 % warning moves a ticket whose
assignee is away (``assignment.reassign_if_absent``, through routing's tickets listener)."""

from __future__ import annotations

from datetime import date, timedelta

from helpline.conftest import T0
from helpline.routing import assignment, services
from helpline.routing.models import AgentProfile
from helpline.tickets import sweeps
from helpline.tickets.events import EventKind
from helpline.tickets.models import Ticket, TicketEvent
from helpline.worker import run_once

H = timedelta(hours=1)


def assignee(ticket: Ticket) -> int | None:
    ticket.refresh_from_db()
    return ticket.assignee_id


def test_leave_starting_tomorrow_moves_c1_and_c2_when_the_worker_steps_tomorrow(desk):
    AgentProfile.objects.filter(user=desk.lena).update(status="away")  # both go to Ravi
    c1 = desk.ticket(at=T0, priority="C1")
    c2 = desk.ticket(at=T0 + H, priority="C2")
    AgentProfile.objects.filter(user=desk.lena).update(status="available")
    assert (c1.assignee_id, c2.assignee_id) == (desk.ravi.pk, desk.ravi.pk)
    # Ravi has started both: the worker's rebalancing leaves started tickets where they are.
    Ticket.objects.filter(pk__in=[c1.pk, c2.pk]).update(status="in_progress")
    services.agent_leave_add(
        actor=None,
        user=desk.ravi,
        starts_on=date(2026, 11, 25),
        ends_on=date(2026, 11, 30),
        now=T0 + 2 * H,
    )
    result = run_once(now=T0 + 4 * H)  # today: nothing moves
    assert result.moved_for_leave == 0
    assert (assignee(c1), assignee(c2)) == (desk.ravi.pk, desk.ravi.pk)
    result = run_once(now=T0 + 24 * H)  # Wed 10:30 IST: Ravi's leave has begun
    assert result.moved_for_leave == 2
    assert (assignee(c1), assignee(c2)) == (desk.lena.pk, desk.lena.pk)
    reasons = TicketEvent.objects.filter(ticket=c1, kind=EventKind.ASSIGNEE)
    assert reasons.latest("id").reason.endswith("(Ravi is on leave)")
    assert run_once(now=T0 + 25 * H).moved_for_leave == 0  # idempotent


def test_the_50_percent_warning_of_a_ticket_whose_assignee_is_away_reassigns_it_once(desk):
    ticket = desk.ticket(at=T0, priority="C1")  # first response: 2 hours, around the clock
    assert ticket.assignee_id == desk.ravi.pk
    AgentProfile.objects.filter(user=desk.ravi).update(status="away")  # not through the hook
    sweeps.clocks_sweep(now=T0 + H / 2)  # 25 %: no warning yet
    assert assignee(ticket) == desk.ravi.pk
    sweeps.clocks_sweep(now=T0 + H)  # the 50 % warning
    assert assignee(ticket) == desk.lena.pk
    moved = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNEE).latest("id")
    assert assignment.FIRST_RESPONSE_AT_HALF in moved.reason and "away" in moved.reason
    # Later steps (75 %, the breach, the resolution's 50 %) never move it again.
    AgentProfile.objects.filter(user=desk.lena).update(status="away")
    AgentProfile.objects.filter(user=desk.ravi).update(status="available")
    sweeps.clocks_sweep(now=T0 + 3 * H / 2)
    sweeps.clocks_sweep(now=T0 + 96 * H)
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert {EventKind.SLA_WARNING, EventKind.SLA_BREACHED} <= kinds
    assert assignee(ticket) == desk.lena.pk
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNEE).count() == 2


def test_the_50_percent_warning_leaves_a_present_assignee(desk):
    ticket = desk.ticket(at=T0, priority="C1")
    sweeps.clocks_sweep(now=T0 + H)
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_WARNING).exists()
    assert assignee(ticket) == desk.ravi.pk
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNEE).count() == 1


def test_the_loads_are_weighted_counts_of_open_tickets_read_from_the_kept_rows(desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from helpline.routing.decide import WEIGHTS
    from helpline.tickets import selectors as ticket_selectors

    AgentProfile.objects.filter(user=desk.lena).update(status="away")
    desk.ticket(at=T0, priority="C1")
    desk.ticket(at=T0, priority="C4")
    closed = desk.ticket(at=T0, priority="C2")
    Ticket.objects.filter(pk=closed.pk).update(status="closed")
    ids = [desk.ravi.pk, desk.lena.pk]
    with CaptureQueriesContext(connection) as ctx:
        loads = ticket_selectors.open_loads(ids, WEIGHTS)
    assert loads == {desk.ravi.pk: WEIGHTS["C1"] + 1}
    # One read of the rows the database keeps (decision 0184), no ticket counted.
    (query,) = ctx.captured_queries
    assert "tickets_openload" in query["sql"] and "tickets_ticket" not in query["sql"]


def test_the_50_percent_warning_leaves_an_absent_assignee_when_nobody_else_qualifies(desk):
    # Decision 0185: the on-call's C1 at night (they are "off shift") was sent back to nobody.
    ticket = desk.ticket(at=T0, priority="C1")
    assert ticket.assignee_id == desk.ravi.pk
    AgentProfile.objects.filter(user__in=[desk.ravi, desk.lena]).update(status="away")
    sweeps.clocks_sweep(now=T0 + H)  # the 50 % warning: nobody else to take it
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_WARNING).exists()
    assert assignee(ticket) == desk.ravi.pk
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNEE).count() == 1
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.UNROUTED).exists()
