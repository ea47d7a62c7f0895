"""Automatic assignment wired to tickets: a new ticket, a reopen, an agent going away or on
leave, deactivated or deleted, an issue type change, the first response pending at 50 %;
nobody qualifying (the lead, else the admins, told once); every assignment an event."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.accounts import services as accounts
from helpline.conftest import T0
from helpline.outbox.models import OnCallOverride, Outbox
from helpline.routing import assignment, services
from helpline.routing.models import AgentProfile, Leave, TeamRoute
from helpline.routing.tests.conftest import profile
from helpline.tickets import services as tickets
from helpline.tickets.events import EventKind
from helpline.tickets.models import Ticket, TicketEvent

H = timedelta(hours=1)
NIGHT = T0 + 14 * H  # Wed 00:30 IST: outside business hours


def routing_events(ticket: Ticket) -> list[tuple[str, object, str]]:
    return list(
        TicketEvent.objects.filter(ticket=ticket, kind__in=[EventKind.ASSIGNEE, EventKind.UNROUTED])
        .order_by("pk")  # in the order written: PostgreSQL promises no order without one
        .values_list("kind", "after", "reason")
    )


def told(ticket: Ticket, kind: str = "unrouted") -> list[str]:
    return sorted(
        Outbox.objects.filter(ticket_id=ticket.pk, kind=kind, channel="email").values_list(
            "recipient", flat=True
        )
    )


def test_a_new_ticket_gets_the_least_loaded_agent_with_an_event_and_the_assignee_hears(desk):
    first = desk.ticket(at=T0)
    # Nobody assigned yet, no load: the lower id (Ravi was made first).
    assert (first.assignee_id, first.team_id) == (desk.ravi.pk, desk.team.pk)
    first.refresh_from_db()
    assert (first.assignee_id, first.team_id) == (desk.ravi.pk, desk.team.pk)
    assert routing_events(first) == [
        ("assignee", desk.ravi.pk, "auto: least loaded of 2 on shift with functionality")
    ]
    event = TicketEvent.objects.get(ticket=first, kind="assignee")
    assert event.actor_id is None and not event.public
    assert told(first, "assignee") == ["ravi@helpline.test"]
    second = desk.ticket(at=T0 + H)
    assert second.assignee_id == desk.lena.pk  # Ravi carries a C3 (2)
    third = desk.ticket(at=T0 + 2 * H, priority="C4")
    assert third.assignee_id == desk.ravi.pk  # 2 each: Ravi was assigned least recently
    assert AgentProfile.objects.get(user=desk.ravi).last_assigned_at == T0 + 2 * H


def test_a_persons_assignment_wins_and_a_new_ticket_is_routed_once(desk):
    ticket = desk.ticket(at=T0)
    tickets.ticket_update(actor=desk.lena, ticket=ticket, assignee=desk.lena.pk, now=T0 + H)
    # Routing it again (a second worker, a retry) leaves the person's choice.
    assert assignment.route(ticket=ticket, now=T0 + 2 * H) is None
    ticket.refresh_from_db()
    assert ticket.assignee_id == desk.lena.pk


def test_nobody_on_shift_the_ticket_waits_in_the_team_queue_and_the_lead_is_told_once(desk):
    AgentProfile.objects.update(status="away")
    ticket = desk.ticket(at=T0)
    ticket.refresh_from_db()
    assert (ticket.assignee_id, ticket.team_id) == (None, desk.team.pk)
    assert routing_events(ticket) == [
        (
            "unrouted",
            {"team": desk.team.pk, "notify": True},
            "nobody on shift is available (away or on leave)",
        )
    ]
    assert told(ticket) == ["lena@helpline.test"]
    assignment.route(ticket=ticket, now=T0 + H)  # tried again: recorded, nobody told again
    assert len(routing_events(ticket)) == 2 and told(ticket) == ["lena@helpline.test"]


def test_a_fresh_install_with_no_agent_at_all_tells_the_admins_once_per_ticket(cast):
    ticket = cast.ticket(at=T0)
    ticket.refresh_from_db()
    assert ticket.assignee_id is None and ticket.team_id is None
    assert routing_events(ticket) == [
        ("unrouted", {"team": None, "notify": True}, "nobody on shift")
    ]
    assert told(ticket) == ["ada@helpline.test"]
    other = cast.ticket(at=T0 + H)
    assert told(other) == ["ada@helpline.test"]


def test_skill_and_language_and_capacity_are_asked(desk):
    TeamRoute.objects.create(team=desk.team, issue_type="ui-design")
    ticket = desk.ticket(at=T0, issue_type="ui-design")
    assert ticket.assignee_id is None
    assert routing_events(ticket)[-1][2] == "nobody on shift with the skill ui-design"
    desk.acme.language = "hi"
    desk.acme.save(update_fields=["language"])
    hindi = desk.ticket(at=T0)
    assert routing_events(hindi)[-1][2] == "nobody on shift who writes hi"
    AgentProfile.objects.filter(user=desk.lena).update(languages=["en", "hi"], capacity=2)
    assert desk.ticket(at=T0).assignee_id == desk.lena.pk  # C3: 2, at capacity now
    assert routing_events(desk.ticket(at=T0))[-1][2] == "all at capacity"


def test_a_c1_after_hours_goes_to_the_on_call_and_pages_them_once(desk):
    eng = accounts.user_create(email="nina@helpline.test", role="agent", first_name="Nina")
    OnCallOverride.objects.create(user=eng, starts_at=NIGHT - H, ends_at=NIGHT + H)
    ticket = desk.ticket(at=NIGHT, issue_type="store-down", priority="C1")
    assert ticket.assignee_id == eng.pk
    assert routing_events(ticket)[0][2] == "auto: on call (least loaded of 1)"
    # Paged once (the opening), told once of the assignment.
    assert told(ticket, "created").count("nina@helpline.test") == 1
    assert told(ticket, "assignee") == ["nina@helpline.test"]


def test_a_reopen_whose_assignee_is_away_goes_to_someone_present(desk):
    ticket = desk.ticket(at=T0)
    assert ticket.assignee_id == desk.ravi.pk
    tickets.ticket_resolve(actor=desk.ravi, ticket=ticket, message="Fixed.", now=T0 + H)
    AgentProfile.objects.filter(user=desk.ravi).update(status="away")
    tickets.ticket_reopen(actor=desk.alice, ticket=ticket, reason="Still broken", now=T0 + 2 * H)
    ticket.refresh_from_db()
    assert ticket.assignee_id == desk.lena.pk
    assert routing_events(ticket)[-1][2] == (
        "auto: least loaded of 1 on shift with functionality (reopened; the assignee is away)"
    )


def test_going_away_moves_c1_c2_at_once_and_c3_c4_only_before_the_next_shift(desk):
    # Ravi works 09:00–18:00 IST on weekdays; T0 is Tuesday 10:30.
    AgentProfile.objects.filter(user=desk.lena).update(capacity=40)
    desk.ravi.shifts.all().delete()
    for d in range(5):
        desk.ravi.shifts.create(weekday=d, start=time(9), end=time(18))
    AgentProfile.objects.filter(user=desk.lena).update(status="away")
    c2 = desk.ticket(at=T0, priority="C2")
    c4 = desk.ticket(at=T0, priority="C4")
    assert c2.assignee_id == c4.assignee_id == desk.ravi.pk
    AgentProfile.objects.filter(user=desk.lena).update(status="available")
    services.agent_status_set(actor=desk.ravi, user=desk.ravi, status="away", now=T0 + H)
    c2.refresh_from_db()
    c4.refresh_from_db()
    assert c2.assignee_id == desk.lena.pk  # at once
    assert c4.assignee_id == desk.ravi.pk  # its deadlines fall long after tomorrow 09:00
    assert routing_events(c2)[-1][2].endswith("(Ravi is away)")


def test_leave_that_has_begun_moves_their_tickets(desk):
    ticket = desk.ticket(at=T0, priority="C2")
    assert ticket.assignee_id == desk.ravi.pk
    services.agent_leave_add(
        actor=None,
        user=desk.ravi,
        starts_on=date(2026, 11, 24),
        ends_on=date(2026, 11, 30),
        now=T0 + H,
    )
    ticket.refresh_from_db()
    assert ticket.assignee_id == desk.lena.pk
    # A C4 whose deadline falls inside the leave moves too (no shift before it).
    c4 = desk.ticket(at=T0 + 2 * H, priority="C4")
    assert c4.assignee_id == desk.lena.pk
    assert Leave.objects.count() == 1


def test_leave_refuses_an_end_before_the_start_and_writes_nothing(desk):
    from helpline.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="ends before it starts"):
        services.agent_leave_add(
            actor=None,
            user=desk.ravi,
            starts_on=date(2026, 12, 2),
            ends_on=date(2026, 12, 1),
            now=T0,
        )
    assert not Leave.objects.exists()


def test_an_agent_deactivated_with_open_tickets_hands_them_on(desk):
    ticket = desk.ticket(at=T0, priority="C4")
    assert ticket.assignee_id == desk.ravi.pk
    desk.ravi.is_active = False
    desk.ravi.save(update_fields=["is_active"])
    ticket.refresh_from_db()
    assert ticket.assignee_id == desk.lena.pk
    assert "Ravi deactivated" in routing_events(ticket)[-1][2]


def test_an_agent_deleted_with_open_tickets_hands_them_on_and_the_last_one_leaves_the_queue(desk):
    ticket = desk.ticket(at=T0)
    assert ticket.assignee_id == desk.ravi.pk
    desk.ravi.delete()
    ticket.refresh_from_db()
    assert ticket.assignee_id == desk.lena.pk
    desk.lena.delete()
    ticket.refresh_from_db()
    assert ticket.assignee_id is None
    assert routing_events(ticket)[-1][0] == "unrouted"


def test_an_issue_type_change_moves_the_routed_team_not_a_chosen_one(desk):
    apps = accounts.team_create(name="Apps", lead=desk.ravi, members=[desk.ravi])
    TeamRoute.objects.create(team=apps, issue_type="app-submission")
    ticket = desk.ticket(at=T0)
    assert ticket.team_id == desk.team.pk
    tickets.ticket_update(
        actor=desk.lena, ticket=ticket, issue_type="app-submission", reason="An app", now=T0 + H
    )
    ticket.refresh_from_db()
    assert ticket.team_id == apps.pk
    tickets.ticket_update(actor=desk.lena, ticket=ticket, team=desk.team.pk, now=T0 + 2 * H)
    tickets.ticket_update(
        actor=desk.lena,
        ticket=ticket,
        issue_type="feature-broken",
        reason="Not an app",
        now=T0 + 3 * H,
    )
    ticket.refresh_from_db()
    assert ticket.team_id == desk.team.pk  # staff chose it: it stays


def test_first_response_pending_at_half_with_the_assignee_away_is_reassigned_once(desk):
    ticket = desk.ticket(at=T0, priority="C2")
    assert ticket.assignee_id == desk.ravi.pk
    assert assignment.reassign_if_absent(ticket=ticket.pk, now=T0 + H) is None  # Ravi is here
    AgentProfile.objects.filter(user=desk.ravi).update(status="away")
    decision = assignment.reassign_if_absent(ticket=ticket.pk, now=T0 + H)
    assert decision is not None and decision.assignee_id == desk.lena.pk
    AgentProfile.objects.filter(user=desk.lena).update(status="away")
    AgentProfile.objects.filter(user=desk.ravi).update(status="available")
    assert assignment.reassign_if_absent(ticket=ticket.pk, now=T0 + 2 * H) is None  # once
    ticket.refresh_from_db()
    assert ticket.assignee_id == desk.lena.pk


def test_loading_and_deciding_is_a_fixed_number_of_queries_whatever_the_team_size(desk):
    ticket = desk.ticket(at=T0)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assignment.choose(ticket, now=T0 + H)
        return len(ctx.captured_queries)

    before = count()
    for n in range(12):
        user = accounts.user_create(email=f"a{n}@helpline.test", role="agent")
        desk.team.members.add(user)
        profile(user)
        desk.ticket(at=T0)
    # The route, the team's profiles/shifts/leave, the merchant's language, the loads.
    assert count() == before <= 4
