"""``TicketChange``: what one service call does to a ticket — the public change API.

Every write to a ticket goes through one: ``TicketChange.lock`` locks the ticket row and reads
its current clocks; the service changes fields (``set``, ``set_status``, ``set_due``), clocks
(``record_passed``, ``meet``, ``each_clock``) and adds events (``add``, built with
``tickets.events``);
``save`` records the warnings due this very instant of the targets still pending (one met now
raises none), writes the changed fields, the changed clocks and the events, and hands the events
to ``tickets.listeners`` — all inside the caller's transaction. Higher apps (billing's quotes,
engineering's escalations) use it for their side of a ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from helpline.accounts.models import User
from helpline.core import clock
from helpline.core.errors import InvalidInput
from helpline.core.prepared import Prepared, insert
from helpline.core.validation import bounded_instant
from helpline.sla.defaults import RESOLUTION
from helpline.tickets import clocks, lifecycle, listeners
from helpline.tickets import events as kinds
from helpline.tickets.events import SYSTEM_KINDS, EventSpec
from helpline.tickets.lifecycle import Transition
from helpline.tickets.models import (
    OPEN_STATUSES,
    PAUSED_STATUSES,
    Status,
    Ticket,
    TicketClock,
    TicketEvent,
)
from helpline.tickets.services import checks

NEW_DUE_DATE = "reopened after the due date passed: a new due date will be set"
ClockOp = Callable[[Ticket, TicketClock, datetime], list[EventSpec]]


def _clock_state(clk: TicketClock) -> tuple[Any, ...]:
    return tuple(getattr(clk, name) for name in clocks.CLOCK_FIELDS)


# Every change of a ticket locks it and reads its clocks, hence a Prepared read.
_locked_ticket: Prepared[Ticket] = Prepared(
    lambda ticket_id: (
        Ticket.objects.select_for_update().select_related("store").filter(pk=ticket_id)[:1]
    ),
    ticket_id=int,
)
_current_clocks: Prepared[TicketClock] = Prepared(
    lambda ticket_id: TicketClock.objects.select_for_update().filter(
        ticket_id=ticket_id, superseded_at__isnull=True
    ),
    ticket_id=int,
)


def lock_ticket(ticket: Ticket | int) -> Ticket:
    """The ticket's row, locked for this transaction (``Ticket.DoesNotExist`` if it is gone)."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    found = _locked_ticket(ticket_id=pk)
    if not found:
        raise Ticket.DoesNotExist(f"ticket {pk} does not exist")
    return found[0]


class TicketChange:
    """What one service call did to a ticket: fields set, clocks to save, events to write."""

    def __init__(
        self,
        ticket: Ticket,
        actor: User | None,
        now: datetime,
        current: list[TicketClock] | None = None,
    ) -> None:
        self.ticket = ticket
        self.actor = actor
        self.now = now
        self.events: list[EventSpec] = []
        if current is None:
            current = list(_current_clocks(ticket_id=ticket.pk))
        self.clocks: dict[str, TicketClock] = {c.kind: c for c in current}
        # What each clock was when read: save() writes only the clocks that changed (a reply
        # to a running clock changes none of them; decision 0070).
        self.loaded = {c.pk: _clock_state(c) for c in self.clocks.values()}
        self.retired: list[TicketClock] = []
        self.fields: set[str] = {"updated_at"}

    @classmethod
    def lock(cls, ticket: Ticket | int, *, actor: User | None, now: datetime) -> TicketChange:
        """Lock the ticket and its clocks, and record the warnings and breaches that have passed
        (``record_passed``)."""
        change = cls(lock_ticket(ticket), actor, now)
        change.record_passed()
        return change

    @classmethod
    def fresh(cls, ticket: Ticket, *, actor: User | None, now: datetime) -> TicketChange:
        """A change to a ticket created in this very transaction and still in hand (routing a
        new ticket): nobody else can see it, so it is not locked, and its clocks, laid out at
        ``now``, have nothing due — they are not read, and this change touches none of them."""
        return cls(ticket, actor, now, current=[])

    # ------------------------------------------------------------ events and fields

    def add(self, spec: EventSpec) -> EventSpec:
        """Add an event (built with ``tickets.events``); it happens now unless it says when."""
        if spec.at is None:
            spec.at = self.now
        self.events.append(spec)
        return spec

    def set(self, name: str, value: Any) -> None:
        setattr(self.ticket, name, value)
        self.fields.add(name)

    @property
    def changed(self) -> bool:
        """Whether a field of the ticket was set (a value it already had is never set)."""
        return bool(self.fields - {"updated_at"})

    def set_status(self, new: str, *, reason: str = "") -> None:
        """Change the status; entering a waiting state pauses the clocks, leaving one resumes
        them."""
        old = self.ticket.status
        if old == new:
            return
        was_paused, now_paused = old in PAUSED_STATUSES, new in PAUSED_STATUSES
        if now_paused and not was_paused:
            self.each_clock(clocks.pause)
        elif was_paused and not now_paused:
            self.each_clock(clocks.resume)
        self.set("status", new)
        self.add(kinds.status(before=old, after=new, reason=reason))

    def reopen(self, *, reason: str) -> None:
        """Back to in progress: the resolution target resumes where it was met. Reopened after
        its due date passed, the ticket goes back to the triage queue for a new one."""
        self.unmeet(RESOLUTION)
        self.set("resolved_at", None)
        self.add(kinds.reopened(reason=reason))
        due = self.ticket.due_at
        if due is not None and due <= self.now and not self.ticket.needs_due_date:
            self.add(kinds.due_date(before=due, after=None, reason=NEW_DUE_DATE))
            self.set("needs_due_date_since", self.now)
        self.set_status(Status.IN_PROGRESS, reason=reason)

    def policy_due(self) -> datetime | None:
        """The running resolution target's deadline (None when it is met, breached, paused)."""
        clk = self.clocks.get(RESOLUTION)
        return clk.deadline if clk is not None and clocks.is_pending(clk) else None

    def set_due(self, due_at: datetime | None, reason: str, *, default: bool = False) -> None:
        """Move the due date (``default``: none given means the policy's resolution deadline).
        A later date than the policy's, or any explicit change, needs a reason."""
        policy_due = self.policy_due()
        if due_at is None:
            if not default:
                raise InvalidInput("due_at is required", code="due_at_required")
            due_at = policy_due
            if due_at is None:
                raise InvalidInput(
                    "the resolution target is not running (met, breached or paused): "
                    "give the due date explicitly",
                    code="due_at_required",
                )
        due_at = self._valid_due(due_at)
        later = policy_due is not None and due_at > policy_due
        if (later or not default) and not reason.strip():
            raise InvalidInput(
                "a due date later than the policy's resolution deadline needs a reason"
                if later
                else "changing the due date needs a reason",
                code="reason_required",
                field="reason",
            )
        if self.ticket.due_at == due_at and not self.ticket.needs_due_date:
            return
        before = None if self.ticket.needs_due_date else self.ticket.due_at
        self.add(kinds.due_date(before=before, after=due_at, reason=reason))
        self.set("due_at", due_at)
        self.set("due_reason", reason.strip())
        if self.ticket.first_due_at is None:
            self.set("first_due_at", due_at)  # the first promise, kept for the report
        if self.ticket.needs_due_date:
            self.set("needs_due_date_since", None)
        if self.ticket.due_passed_at is not None:
            self.set("due_passed_at", None)  # a new due date is told once more when it passes

    def policy_due_from_now(self) -> datetime | None:
        """The resolution target of the ticket's priority and issue type laid out afresh from
        now on its calendar (a quote approved without a due date: the quoted work starts)."""
        spec = checks.policy_for(self.ticket).targets_for(
            self.ticket.priority, self.ticket.issue_type
        )[RESOLUTION]
        return clocks.new_clock(self.ticket, spec, at=self.now, paused=False).deadline

    def _valid_due(self, due_at: datetime) -> datetime:
        clock.ensure_aware(due_at, name="due_at")
        try:
            due_at = bounded_instant(due_at)
        except ValueError as exc:
            raise InvalidInput(f"due_at {exc}", code="invalid_due_at") from None
        if due_at <= self.now:
            raise InvalidInput("the due date must be in the future", code="due_at_in_past")
        return due_at

    # ------------------------------------------------------------ clocks

    def record_passed(self) -> None:
        """Record the breaches due by now and the warnings due before now. A warning due exactly
        now waits for what this change does: a target met now raises none, and ``save`` records
        it for the targets still pending."""
        for clk in self.clocks.values():
            self.events.extend(clocks.record_passed(self.ticket, clk, self.now, warn_now=False))
        self.record_due_passed()

    def record_due(self) -> None:
        """Record the warnings and breaches due by now, this instant included."""
        for clk in self.clocks.values():
            self.events.extend(clocks.record_passed(self.ticket, clk, self.now))

    def record_due_passed(self) -> None:
        """The due date passed with the ticket open: recorded once, at that instant."""
        ticket = self.ticket
        due = ticket.due_at
        if (
            due is None
            or due > self.now
            or ticket.due_passed_at is not None
            or ticket.needs_due_date
            or ticket.status not in OPEN_STATUSES
        ):
            return
        self.add(kinds.due_passed(due_at=due))
        self.set("due_passed_at", due)

    def each_clock(self, op: ClockOp) -> None:
        for clk in self.clocks.values():
            self.events.extend(op(self.ticket, clk, self.now))

    def meet(self, kind: str) -> None:
        clk = self.clocks.get(kind)
        if clk is not None:
            self.events.extend(clocks.meet(self.ticket, clk, self.now))

    def unmeet(self, kind: str) -> None:
        clk = self.clocks.get(kind)
        if clk is not None:
            self.events.extend(clocks.unmeet(self.ticket, clk, self.now))

    def restart(self, kind: str, spec: Any) -> TicketClock:
        """Retire the clock ``kind`` and start a fresh one from ``spec`` now (paused if the
        ticket waits)."""
        ticket = self.ticket
        self.events.extend(clocks.record_passed(ticket, self.clocks[kind], self.now))
        paused = ticket.status in PAUSED_STATUSES
        fresh = clocks.new_clock(ticket, spec, at=self.now, paused=paused)
        self._replace(kind, fresh)
        return fresh

    def retarget(self, kind: str, spec: Any, *, priority: str, reason: str) -> None:
        """Re-prioritising: the target ``kind`` moves to ``spec`` under ``priority`` by the
        rules of ``clocks.retarget`` (met targets stay met; the same target stays put)."""
        fresh, events = clocks.retarget(
            self.ticket, self.clocks[kind], spec, priority=priority, at=self.now, reason=reason
        )
        for spec_ in events:
            self.add(spec_)
        if fresh is not None:
            self._replace(kind, fresh)

    def _replace(self, kind: str, fresh: TicketClock) -> None:
        """Retire the current clock ``kind`` (its row stays, as history) for ``fresh``."""
        old = self.clocks[kind]
        clocks.supersede(self.ticket, old, self.now)
        self.retired.append(old)
        self.clocks[kind] = fresh

    # ------------------------------------------------------------ writing

    def save(self, *, touch_ticket: bool = True) -> None:
        """Write the ticket's changed fields, its clocks and the events. ``touch_ticket=False``
        for the clocks' own bookkeeping (a recorded warning or breach is not an update of the
        ticket a merchant would see as "last updated")."""
        ticket = self.ticket
        self.record_due()
        if touch_ticket:
            # Never backwards: a change recorded at its true, earlier instant (a quote's expiry
            # at its valid-until) after later ones leaves "last updated" at the latest.
            ticket.updated_at = max(self.now, ticket.updated_at)
            ticket.save(update_fields=sorted(self.fields))
        elif self.changed:  # the sweeps' bookkeeping (a due date recorded as passed)
            ticket.save(update_fields=sorted(self.fields - {"updated_at"}))
        for clk in self.retired:
            clk.save(update_fields=clocks.CLOCK_FIELDS)
        for clk in self.clocks.values():
            if clk.pk is None:
                clk.save()
            elif _clock_state(clk) != self.loaded.get(clk.pk):
                clk.save(update_fields=clocks.CLOCK_FIELDS)
        write_events(ticket, self.actor, self.events)


class ActionChange(TicketChange):
    """A change made by one lifecycle action (docs/policy.md's table): ``begin`` locks the ticket
    and checks that the actor may take the action now; ``finish`` moves the ticket to the
    action's target status and saves."""

    transition: Transition

    @classmethod
    def begin(
        cls, action: str, *, actor: User | None, ticket: Ticket | int, now: datetime
    ) -> ActionChange:
        locked = lock_ticket(ticket)
        cap = lifecycle.SYSTEM if actor is None else checks.capacity_or_404(actor, locked)
        transition = lifecycle.check(
            action, capacity=cap, status=locked.status, priority=locked.priority
        )
        change = cls(locked, actor, now)
        change.transition = transition
        change.record_passed()
        return change

    def finish(self, *, reason: str = "") -> Ticket:
        if self.transition.target is not None:
            self.set_status(self.transition.target, reason=reason)
        self.save()
        return self.ticket


def write_events(ticket: Ticket, actor: User | None, events: list[EventSpec]) -> None:
    """Write the events and hand them to the listeners (the caller's transaction)."""
    written = [
        TicketEvent(
            ticket=ticket,
            actor=actor if e.kind not in SYSTEM_KINDS else None,
            kind=e.kind,
            before=e.before,
            after=e.after,
            reason=e.reason,
            public=e.public,
            created_at=e.at or clock.now(),
        )
        for e in events
    ]
    insert(written)
    for spec, row in zip(events, written, strict=True):
        if spec.message is not None:
            row.loaded_message = spec.message  # type: ignore[attr-defined]
    # Who should hear of these: outbox rows in this same transaction (delivered after commit).
    listeners.events_written(ticket=ticket, actor=actor, events=written)
