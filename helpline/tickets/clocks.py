"""The SLA clocks of one ticket: start, pause, resume, meet, stop, restart, retarget.

These are the only functions that change a ``TicketClock``. Each returns the events it caused
(as ``EventSpec`` values the calling service writes) and leaves saving to the service, which
runs them all in one transaction. Calendar arithmetic is ``sla.business_time``'s; the calendar of a
clock is its target's calendar in the policy version the ticket was opened under, with today's
holiday rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from helpline.sla import business_time as sla_clock
from helpline.sla import reprioritise
from helpline.sla import selectors as sla_selectors
from helpline.sla.policy import EscalationStepSpec, TargetSpec
from helpline.tickets import clock_history
from helpline.tickets import events as kinds
from helpline.tickets.events import EventSpec
from helpline.tickets.models import Ticket, TicketClock

ZERO = timedelta(0)
CLOCK_FIELDS = [
    "segment_started_at",
    "consumed",
    "wall_consumed",
    "paused_since",
    "deadline",
    "warn_at",
    "warned_at",
    "warn_step",
    "met_at",
    "taken_business",
    "taken_wall",
    "breached_at",
    "stopped_at",
    "superseded_at",
    "history",
]


def calendar_for(
    ticket: Ticket, clk: TicketClock, *instants: datetime
) -> sla_clock.BusinessCalendar:
    policy = sla_selectors.policy_version(ticket.policy_version_id)
    return sla_selectors.business_calendar(policy, clk.calendar, *instants)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def is_pending(clk: TicketClock) -> bool:
    """Neither met nor breached nor stopped (running or paused)."""
    return clk.met_at is None and clk.breached_at is None and clk.stopped_at is None


def is_running(clk: TicketClock) -> bool:
    return clk.segment_started_at is not None


def new_clock(ticket: Ticket, spec: TargetSpec, *, at: datetime, paused: bool) -> TicketClock:
    clk = TicketClock(
        ticket=ticket,
        kind=spec.kind,
        priority=ticket.priority,
        calendar=spec.calendar,
        length=spec.length,
        started_at=at,
        consumed=ZERO,
        wall_consumed=ZERO,
    )
    if paused:
        clk.paused_since = at
    else:
        _run_from(ticket, clk, at)
    return clk


def _run_from(ticket: Ticket, clk: TicketClock, at: datetime) -> None:
    """Start a running segment at ``at`` and lay the remainder out on the calendar."""
    cal = calendar_for(ticket, clk, at)
    clk.segment_started_at = at
    clk.paused_since = None
    budget = clock_history.budget_of(clk)
    remaining = max(budget - clk.consumed, ZERO)
    if clk.breached_at is not None:
        # Breached already: the deadline it missed stays the deadline shown.
        clk.deadline = clk.breached_at
    else:
        clk.deadline = sla_clock.add_business_time(cal, at, remaining)
    _lay_next_warning(ticket, clk, cal, budget)


def next_step(ticket: Ticket, clk: TicketClock) -> EscalationStepSpec | None:
    """The escalation chain's next warning step for this clock since its start: the first of its
    priority's steps before the breach at or above ``warn_step`` percent (None: none left)."""
    steps = sla_selectors.policy_version(ticket.policy_version_id).warning_steps(clk.priority)
    return next((step for step in steps if step.percent >= clk.warn_step), None)


def _lay_next_warning(
    ticket: Ticket, clk: TicketClock, cal: sla_clock.BusinessCalendar, budget: timedelta
) -> None:
    """``warn_at``: the next step's instant on the target's calendar, net of pauses (the running
    segment's start plus what is left of the step's share), or None (none left, or breached).
    When re-prioritising cut the target's budget below its length (``clock_history``), the
    steps are counted back from the deadline: each share shrinks by what the budget lost."""
    step = next_step(ticket, clk) if clk.breached_at is None else None
    start = clk.segment_started_at
    if step is None or start is None:
        clk.warn_at = None
        return
    share = timedelta(seconds=int(clk.length.total_seconds()) * step.percent // 100)
    share += budget - clk.length
    clk.warn_at = sla_clock.add_business_time(cal, start, max(share - clk.consumed, ZERO))


def relayout(ticket: Ticket, clk: TicketClock) -> None:
    """Lay the running segment out again (the calendar's holidays changed)."""
    if clk.segment_started_at is not None:
        _run_from(ticket, clk, clk.segment_started_at)


def _fold(ticket: Ticket, clk: TicketClock, at: datetime) -> None:
    """End the running segment at ``at``, adding its business and wall time to what is used."""
    start = clk.segment_started_at
    if start is None:
        return
    if at > start:
        cal = calendar_for(ticket, clk, start, at)
        clk.consumed += sla_clock.business_time_between(cal, start, at)
        clk.wall_consumed += at - start
    clk.segment_started_at = None


def record_passed(
    ticket: Ticket,
    clk: TicketClock,
    now: datetime,
    *,
    warn_now: bool = True,
    calendar: sla_clock.BusinessCalendar | None = None,
) -> list[EventSpec]:
    """Record the warnings (each step of the escalation chain) and the breach whose instants
    have passed, each at its true instant, in order. ``calendar``: the target's calendar when
    the caller holds it already (the demo's bulk planner, which runs in processes that must not
    query); else it is read for the step's instant.

    ``warn_now=False`` leaves a warning due exactly at ``now`` unrecorded: the target may be met
    now, and a target met at or before a step's instant raises no warning for it (a breach due
    at ``now`` is recorded all the same)."""
    events: list[EventSpec] = []
    if clk.met_at is not None or clk.stopped_at is not None or not is_running(clk):
        return events
    while clk.warn_at is not None and (clk.warn_at <= now if warn_now else clk.warn_at < now):
        step = next_step(ticket, clk)
        if step is None:  # the chain lost a step since ``warn_at`` was laid out
            clk.warn_at = None
            break
        warned = clk.warned_at = clk.warn_at
        clk.warn_step = step.percent + 1
        events.append(
            kinds.sla_warning(
                target=clk.kind,
                priority=clk.priority,
                percent=step.percent,
                deadline=clk.deadline,
                at=warned,
            )
        )
        cal = calendar if calendar is not None else calendar_for(ticket, clk, warned)
        _lay_next_warning(ticket, clk, cal, clock_history.budget_of(clk))
    if clk.deadline is not None and clk.breached_at is None and clk.deadline <= now:
        breached = clk.breached_at = clk.deadline
        events.append(kinds.sla_breached(target=clk.kind, priority=clk.priority, at=breached))
    return events


def pause(ticket: Ticket, clk: TicketClock, at: datetime) -> list[EventSpec]:
    events = record_passed(ticket, clk, at)
    if clk.met_at is None and clk.stopped_at is None and is_running(clk):
        _fold(ticket, clk, at)
        clk.paused_since = at
        clk.deadline = None
        clk.warn_at = None
    return events


def resume(ticket: Ticket, clk: TicketClock, at: datetime) -> list[EventSpec]:
    """Run again from ``at`` — or from the pause's start, for a clock paused after ``at`` (a
    resumption recorded at its true, earlier instant: a quote's expiry stamped at its valid-until
    instant, the clock started afresh by a priority change after it)."""
    if clk.met_at is None and clk.stopped_at is None and clk.paused_since is not None:
        began, ended = clk.paused_since, max(at, clk.paused_since)
        clock_history.note_pause(clk, began, ended)
        _run_from(ticket, clk, ended)
    return []


def meet(ticket: Ticket, clk: TicketClock, at: datetime) -> list[EventSpec]:
    """The target is met at ``at`` (late if it breached already: it stays breached; met at its
    warning instant, it was never warned)."""
    events = record_passed(ticket, clk, at, warn_now=False)
    if clk.met_at is not None or clk.stopped_at is not None:
        return events
    _halt(ticket, clk, at)
    clk.met_at = at
    clk.taken_business = clk.consumed
    clk.taken_wall = clk.wall_consumed
    events.append(
        kinds.sla_met(
            target=clk.kind,
            priority=clk.priority,
            business_seconds=int(clk.consumed.total_seconds()),
            wall_seconds=int(clk.wall_consumed.total_seconds()),
            late=clk.breached_at is not None,
            at=at,
        )
    )
    return events


def unmeet(ticket: Ticket, clk: TicketClock, at: datetime) -> list[EventSpec]:
    """Reopen: the resolution target is pending again and resumes where it stopped."""
    if clk.met_at is None:
        return []
    met_at = clk.met_at
    clk.met_at = None
    clk.taken_business = None
    clk.taken_wall = None
    clock_history.note_pause(clk, met_at, at)  # the resolved interval does not count
    _run_from(ticket, clk, at)
    return [kinds.sla_resumed(target=clk.kind, met_at=met_at, deadline=clk.deadline, at=at)]


def stop(ticket: Ticket, clk: TicketClock, at: datetime) -> list[EventSpec]:
    """Withdrawal: the target stops without being met."""
    events = record_passed(ticket, clk, at)
    if clk.met_at is not None or clk.stopped_at is not None:
        return events
    _halt(ticket, clk, at)
    clk.stopped_at = at
    return events


def supersede(ticket: Ticket, clk: TicketClock, at: datetime) -> None:
    """Take the clock out of service (its row stays, as history)."""
    _halt(ticket, clk, at)
    clk.superseded_at = at


def _halt(ticket: Ticket, clk: TicketClock, at: datetime) -> None:
    """Neither running nor paused any more: the running segment is added to what was used."""
    _fold(ticket, clk, at)
    clk.paused_since = None
    clk.warn_at = None


def retarget(
    ticket: Ticket, clk: TicketClock, spec: TargetSpec, *, priority: str, at: datetime, reason: str
) -> tuple[TicketClock | None, list[EventSpec]]:
    """Re-prioritising one target (``sla.reprioritise``): the row that replaces ``clk`` — None
    when it is met or stopped, or the target is the same — and the events, one ``sla_restarted``
    with the old and new deadline and the change's reason."""
    events = record_passed(ticket, clk, at)
    if clk.met_at is not None or clk.stopped_at is not None:
        return None, events
    policy = sla_selectors.policy_version(ticket.policy_version_id)
    calendars: dict[str, sla_clock.BusinessCalendar] = {}

    def calendar_of(slug: str) -> sla_clock.BusinessCalendar:
        if slug not in calendars:
            calendars[slug] = sla_selectors.business_calendar(policy, slug, clk.started_at, at)
        return calendars[slug]

    track = clock_history.track(clk)
    outcome = reprioritise.retarget(
        track,
        reprioritise.Target(priority, spec.minutes, spec.calendar),
        at=at,
        rank=policy.rank,
        calendar_of=calendar_of,
        priority_calendar=lambda p: policy.targets[(p, clk.kind)].calendar,
    )
    if outcome is None:
        return None, events
    fresh = _successor(ticket, clk, spec, priority=priority, track=track, outcome=outcome, at=at)
    if fresh.breached_at is not None:
        events.append(kinds.sla_breached(target=clk.kind, priority=priority, at=fresh.breached_at))
    events.append(
        kinds.sla_restarted(
            target=clk.kind,
            priority=priority,
            deadline=fresh.deadline,
            before=clk.deadline,
            rule=outcome.rule,
            reason=reason,
        )
    )
    return fresh, events


def _successor(
    ticket: Ticket,
    clk: TicketClock,
    spec: TargetSpec,
    *,
    priority: str,
    track: reprioritise.Track,
    outcome: reprioritise.Outcome,
    at: datetime,
) -> TicketClock:
    """The row that takes over from ``clk``: same start, the new target and budget, running from
    ``at`` or paused as ``clk`` was (decisions 0090, 0091)."""
    until = track.paused_since or at
    fresh = TicketClock(
        ticket=ticket,
        kind=clk.kind,
        priority=priority,
        calendar=spec.calendar,
        length=spec.length,
        started_at=clk.started_at,
        consumed=outcome.used,
        wall_consumed=until - clk.started_at - sum((e - b for b, e in track.pauses), ZERO),
    )
    # The same start keeps the escalation steps it already warned of: none is warned twice
    # (decision 0111); a target started afresh warns from its first step again.
    warned = None if outcome.rule == reprioritise.RESTARTED else clock_history.warned_of(clk)
    clock_history.write(
        fresh, pauses=track.pauses, budget=outcome.budget, had=outcome.had, warned=warned
    )
    if outcome.rule != reprioritise.RESTARTED:
        fresh.warn_step = clk.warn_step
        fresh.warned_at = warned
    fresh.breached_at = outcome.breached_at
    if track.paused_since is not None:
        fresh.paused_since = track.paused_since
    else:
        _run_from(ticket, fresh, at)
    if fresh.breached_at is not None:
        fresh.warn_at = None
    return fresh
