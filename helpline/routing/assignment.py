"""Every write of routing: choosing and recording a ticket's owner (``route``), moving an
absent agent's tickets (``reroute_absent``), the first response pending at 50 %
(``reassign_if_absent``), an agent's status and leave. The choice itself is ``decide``'s; the
ticket is written through ``tickets.services`` (one ``assignee`` event with the reason)."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import nullcontext
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db import transaction

from helpline.accounts.models import User
from helpline.core.zones import zone_or_default
from helpline.routing import selectors
from helpline.routing.decide import WEIGHTS, Candidate, Decision, Facts, decide
from helpline.routing.models import AgentProfile, AgentStatus
from helpline.routing.shifts import next_shift_start, on_leave, on_shift
from helpline.sla import business_time as sla_clock
from helpline.sla import selectors as sla_selectors
from helpline.sla.defaults import BUSINESS
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.models import Ticket
from helpline.tickets.services import ticket_assign, ticket_unrouted
from helpline.tickets.services.change import lock_ticket

UNSET: Any = object()
FIRST_RESPONSE_AT_HALF = "first response pending at 50 %"
URGENT = ("C1", "C2")


def after_hours(ticket: Ticket, at: datetime) -> bool:
    """Whether ``at`` is outside the business hours of the ticket's policy."""
    policy = sla_selectors.policy_version(ticket.policy_version_id)
    return not sla_clock.is_business_time(sla_selectors.business_calendar(policy, BUSINESS, at), at)


def facts_of(ticket: Ticket, *, team_id: int | None, now: datetime) -> Facts:
    c1 = ticket.priority == "C1"
    return Facts(
        priority=ticket.priority,
        issue_type=ticket.issue_type,
        language=ticket.merchant.language or "en",
        team_id=team_id,
        after_hours=c1 and after_hours(ticket, now),
    )


def candidates_for(
    facts: Facts, now: datetime, *, exclude: Collection[int] = ()
) -> list[Candidate]:
    """The team's candidates, and for a C1 after hours whoever is on call (flagged so)."""
    found = {c.user_id: c for c in selectors.team_candidates(facts.team_id, now, exclude=exclude)}
    if facts.to_on_call:
        ids = [u.pk for u in selectors.on_call_at(now)]
        for cand in selectors.on_call_candidates(ids, now, exclude=exclude):
            own = found.get(cand.user_id)
            found[cand.user_id] = replace(own, on_call=True) if own else cand
    return list(found.values())


def choose(
    ticket: Ticket, *, now: datetime, team_id: int | None = None, exclude: Collection[int] = ()
) -> Decision:
    """Load the candidates with their loads (one read; decision 0184), and decide."""
    if team_id is None:
        team_id = ticket.team_id or selectors.team_for(ticket.issue_type)
    facts = facts_of(ticket, team_id=team_id, now=now)
    candidates = candidates_for(facts, now, exclude=exclude)
    return decide(facts, candidates, loads_of(facts, candidates, now), now)


def loads_of(facts: Facts, candidates: list[Candidate], now: datetime) -> dict[int, int]:
    """The candidates' weighted open loads: read with them (decision 0184); only someone on
    call with no profile (read without one) has theirs read by id."""
    loads = {c.user_id: c.load for c in candidates if c.load is not None}
    unread = [c.user_id for c in candidates if c.load is None]
    return loads | ticket_selectors.open_loads(unread, WEIGHTS)


def route(
    *,
    ticket: Ticket | int,
    now: datetime,
    why: str = "",
    exclude: Collection[int] = (),
    expect_assignee: int | None = None,
    quiet: bool = False,
) -> Decision | None:
    """Choose the ticket's owner now and write it: the ticket's row is locked first, so two
    workers routing it at once leave one owner (the second finds it is no longer
    ``expect_assignee``'s and does nothing: None). Nobody qualifies: the ticket waits in its
    team's queue (unassigned) and, the first time, its lead — else the admins — are told.
    ``quiet``: when nobody qualifies, write nothing (the queue's sweep tries again later)."""
    # A ticket created in this very transaction is seen by nobody else yet: no lock, no
    # savepoint of its own (the creation's transaction holds), its merchant and store already
    # in hand, and nobody told of it yet.
    fresh = isinstance(ticket, Ticket) and getattr(ticket, "_routing_fresh", False)
    with nullcontext() if fresh else transaction.atomic():
        locked: Ticket = ticket if isinstance(ticket, Ticket) and fresh else lock_ticket(ticket)
        if locked.assignee_id != expect_assignee:
            return None
        decision = choose(locked, now=now, exclude=exclude)
        reason = f"{decision.reason} ({why})" if why else decision.reason
        if decision.assigned:
            ticket_assign(
                ticket=locked,
                assignee=decision.assignee_id,
                team=decision.team_id,
                reason=reason,
                expect_assignee=expect_assignee,
                now=now,
                fresh=fresh,
            )
            chosen = int(decision.assignee_id or 0)
            AgentProfile.objects.filter(user_id=chosen).update(last_assigned_at=now)
            return decision
        if quiet:
            return decision
        if expect_assignee is not None:
            ticket_assign(ticket=locked, assignee=None, reason=f"auto: unassigned ({why})", now=now)
        told = not fresh and ticket_selectors.unrouted_told(locked.pk)
        ticket_unrouted(
            ticket=locked,
            reason=reason,
            notify=not told,
            team=decision.team_id,
            now=now,
            fresh=fresh,
        )
        return decision


def route_new(*, ticket: Ticket, now: datetime) -> Decision | None:
    """A new ticket, whatever its channel: its team by issue type, its owner by the rule; the
    in-memory ``ticket`` is brought up to date, so later listeners see its owner and team."""
    ticket._routing_fresh = True  # type: ignore[attr-defined]
    try:
        decision = route(ticket=ticket, now=now)
    finally:
        del ticket._routing_fresh  # type: ignore[attr-defined]
    if decision is not None:
        ticket.team_id = decision.team_id
        ticket.assignee_id = decision.assignee_id
    return decision


def queue_sweep(*, now: datetime, limit: int = 200) -> int:
    """Tickets waiting in a team's queue because nobody qualified when they came are routed
    as soon as someone does (an agent comes on shift, back from leave, under capacity):
    most urgent first; a team found with nobody on shift is not asked again in this sweep.
    A ticket a person unassigned is left alone. Returns how many found an owner (decision
    0135)."""
    placed, nobody = 0, set[int | None]()
    for ticket_id, team_id in ticket_selectors.waiting_in_queues(limit=limit):
        if team_id is not None and team_id in nobody:
            continue
        decision = route(ticket=ticket_id, now=now, why="waited in the queue", quiet=True)
        if decision is not None and decision.assigned:
            placed += 1
        elif decision is not None and decision.reason == "nobody on shift":
            nobody.add(decision.team_id)
    return placed


# ---------------------------------------------------------------- absence


def absent(user_id: int | None, now: datetime) -> str | None:
    """Why the agent cannot work a ticket now ("away", "on leave", "off shift"), or None.
    Staff without a profile, or without shifts, are never judged off shift."""
    if user_id is None:
        return None
    profile = selectors.profile_or_none(user_id)
    if profile is None:
        return None
    if profile.status == AgentStatus.AWAY:
        return "away"
    spans, leave = selectors.time_of(profile.user)
    zone = zone_or_default(profile.user.time_zone)
    if on_leave(leave, zone, now):
        return "on leave"
    if spans and not on_shift(spans, zone, now):
        return "off shift"
    return None


def reroute_absent(
    *, user: User, now: datetime, why: str, everything: bool = False, exclude_self: bool = True
) -> list[Decision | None]:
    """Move the open tickets of an absent agent: C1 and C2 at once; C3 and C4 when a deadline
    of theirs would fall before the agent's next shift (or there is none). ``everything``:
    all of them (the agent is deactivated or deleted)."""
    spans, leave = selectors.time_of(user)
    back = next_shift_start(spans, leave, zone_or_default(user.time_zone), now)
    moved = []
    for ticket in ticket_selectors.open_assigned(user.pk):
        deadline = ticket.next_deadline  # type: ignore[attr-defined]
        if not (
            everything
            or ticket.priority in URGENT
            or back is None
            or (deadline is not None and deadline < back)
        ):
            continue
        moved.append(
            route(ticket=ticket, now=now, why=why, exclude={user.pk}, expect_assignee=user.pk)
        )
    return moved


def _away_from(
    ticket: Ticket, now: datetime, occasion: str, *, quiet: bool = False
) -> Decision | None:
    """Route the ticket to someone else if its assignee is away, on leave or off shift.
    ``quiet``: when nobody else qualifies, it stays with its assignee."""
    why = absent(ticket.assignee_id, now)
    if why is None or ticket.assignee_id is None:
        return None
    return route(
        ticket=ticket,
        now=now,
        why=f"{occasion}; the assignee is {why}",
        exclude={ticket.assignee_id},
        expect_assignee=ticket.assignee_id,
        quiet=quiet,
    )


def reroute_on_reopen(*, ticket: Ticket, now: datetime) -> Decision | None:
    """A reopened ticket whose assignee is away, on leave or off shift goes to someone now."""
    return _away_from(ticket, now, "reopened")


def reassign_if_absent(*, ticket: Ticket | int, now: datetime) -> Decision | None:
    """A first response still pending at 50 % whose assignee is away or off shift is
    reassigned — once per ticket (later notices leave it where it is). Nobody else qualifies
    (the on-call's C1 at night, everyone off shift): it stays with its assignee rather than
    going back to nobody (decision 0185)."""
    ticket = lock_ticket(ticket) if isinstance(ticket, int) else ticket
    if ticket.assignee_id is None or ticket_selectors.first_response_settled(ticket.pk):
        return None
    if any(FIRST_RESPONSE_AT_HALF in r for r in ticket_selectors.assignment_reasons(ticket.pk)):
        return None
    return _away_from(ticket, now, FIRST_RESPONSE_AT_HALF, quiet=True)


# ---------------------------------------------------------------- absences


def leave_sweep(*, now: datetime) -> int:
    """Agents on leave now who still hold tickets that must move: moved (idempotent)."""
    moved = 0
    for user in selectors.on_leave_with_tickets(now):
        moved += len(reroute_absent(user=user, now=now, why=f"{user} is on leave"))
    return moved


def agent_gone(*, user: User, now: datetime, why: str) -> list[Decision | None]:
    """A deactivated or deleted agent's open tickets all move."""
    return reroute_absent(user=user, now=now, why=why, everything=True)
