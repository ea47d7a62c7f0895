"""Every write to a ticket. The API, the web, mail, the worker and the CLI all call these.

Each service runs in one transaction, locks the ticket row, checks who may do it (404, then 403,
then 409 — see ``accounts.access`` and ``lifecycle``), changes the ticket and its clocks, and
writes a ``TicketEvent`` for every change. ``now`` is an argument (tests pass it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from helpline.accounts import access
from helpline.accounts import selectors as people
from helpline.accounts.models import Team, User
from helpline.billing import services as billing
from helpline.core import clock
from helpline.core.errors import Forbidden, InvalidInput, NotFound, TransitionRefused
from helpline.core.prepared import Prepared, insert
from helpline.core.validation import bounded_instant, has_nul
from helpline.merchants.models import Store
from helpline.sla import selectors as sla_selectors
from helpline.sla.defaults import FIRST_RESPONSE, RESOLUTION
from helpline.sla.policy import Policy
from helpline.tickets import access as ticket_access
from helpline.tickets import clocks, lifecycle, listeners
from helpline.tickets.attachments import Upload, attachments_store
from helpline.tickets.clocks import EventSpec, iso
from helpline.tickets.models import (
    PAUSED_STATUSES,
    Channel,
    MessageKind,
    Status,
    Ticket,
    TicketClock,
    TicketEvent,
    TicketMessage,
)

SUBJECT_MAX = 200
BODY_MAX = 100_000


# ---------------------------------------------------------------- helpers


def _clock_state(clk: TicketClock) -> tuple[Any, ...]:
    return tuple(getattr(clk, name) for name in clocks.CLOCK_FIELDS)


# Every change of a ticket locks it and reads its clocks: compiled once (decision 0080).
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


class _Change:
    """What one service call did to a ticket: clocks to save, events to write."""

    def __init__(self, ticket: Ticket, actor: User | None, now: datetime) -> None:
        self.ticket = ticket
        self.actor = actor
        self.now = now
        self.events: list[EventSpec] = []
        self.clocks: dict[str, TicketClock] = {
            c.kind: c for c in _current_clocks(ticket_id=ticket.pk)
        }
        # What each clock was when read: save() writes only the clocks that changed (a reply
        # to a running clock changes none of them; decision 0070).
        self.loaded = {c.pk: _clock_state(c) for c in self.clocks.values()}
        self.retired: list[TicketClock] = []
        self.fields: set[str] = {"updated_at"}

    def event(
        self,
        kind: str,
        *,
        before: Any = None,
        after: Any = None,
        reason: str = "",
        public: bool = False,
    ) -> None:
        self.events.append(EventSpec(kind, before, after, reason, public, self.now))

    def set(self, name: str, value: Any) -> None:
        setattr(self.ticket, name, value)
        self.fields.add(name)

    def settle(self) -> None:
        for clk in self.clocks.values():
            self.events.extend(clocks.settle(self.ticket, clk, self.now))

    def each_clock(self, op: Any) -> None:
        for clk in self.clocks.values():
            self.events.extend(op(self.ticket, clk, self.now))

    def meet(self, kind: str) -> None:
        clk = self.clocks.get(kind)
        if clk is not None:
            self.events.extend(clocks.meet(self.ticket, clk, self.now))

    def save(self, *, touch_ticket: bool = True) -> None:
        """Write the ticket's changed fields, its clocks and the events. ``touch_ticket=False``
        for the clocks' own bookkeeping (a recorded warning or breach is not an update of the
        ticket a merchant would see as "last updated")."""
        ticket = self.ticket
        if touch_ticket:
            ticket.updated_at = self.now
            ticket.save(update_fields=sorted(self.fields))
        for clk in self.retired:
            clk.save(update_fields=clocks.CLOCK_FIELDS)
        for clk in self.clocks.values():
            if clk.pk is None:
                clk.save()
            elif _clock_state(clk) != self.loaded.get(clk.pk):
                clk.save(update_fields=clocks.CLOCK_FIELDS)
        write_events(ticket, self.actor, self.events)


def write_events(ticket: Ticket, actor: User | None, events: list[EventSpec]) -> None:
    written = [
        TicketEvent(
            ticket=ticket,
            actor=actor if not e.kind.startswith("sla_") else None,
            kind=e.kind,
            before=e.before,
            after=e.after,
            reason=e.reason,
            public=e.public,
            created_at=e.at or clock.now(),
        )
        for e in events
    ]
    insert(written)  # compiled once (decision 0080)
    for spec, row in zip(events, written, strict=True):
        if spec.message is not None:
            row.loaded_message = spec.message  # type: ignore[attr-defined]
    # Who should hear of these: outbox rows in this same transaction (delivered after commit).
    listeners.events_written(ticket=ticket, actor=actor, events=written)


def _lock(ticket: Ticket) -> Ticket:
    found = _locked_ticket(ticket_id=ticket.pk)
    if not found:
        raise Ticket.DoesNotExist(f"ticket {ticket.pk} does not exist")
    return found[0]


def _capacity_or_404(actor: User | None, ticket: Ticket) -> str:
    cap = ticket_access.capacity(actor, ticket)
    if cap is None:
        raise NotFound("ticket not found")
    return cap


def _refuse_closed(ticket: Ticket, what: str) -> None:
    if ticket.status == Status.CLOSED:
        raise TransitionRefused(
            f"ticket {ticket.reference} is closed; {what} is refused", allowed=[]
        )


def _policy_for(ticket: Ticket) -> Policy:
    return sla_selectors.policy_version(ticket.policy_version_id)


def _validate_priority(policy: Policy, priority: str) -> str:
    if priority not in policy.priorities:
        raise InvalidInput(
            f"unknown priority {priority!r}; one of: {', '.join(policy.priority_codes())}",
            code="unknown_priority",
        )
    return priority


def _validate_issue_type(policy: Policy, slug: str) -> str:
    spec = policy.issue_types.get(slug)
    if spec is None or not spec.active:
        raise InvalidInput(f"unknown issue type {slug!r}", code="unknown_issue_type")
    return slug


def _text(value: str | None, name: str, limit: int) -> str:
    value = (value or "").strip()
    if has_nul(value):
        raise InvalidInput(f"{name} must not contain NUL characters", code="invalid_text")
    if not value:
        raise InvalidInput(f"{name} must not be empty", code=f"{name}_required")
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters", code=f"{name}_too_long")
    return value


def _set_status(change: _Change, new: str, *, reason: str = "") -> None:
    """Change the status; entering a waiting state pauses the clocks, leaving one resumes them."""
    old = change.ticket.status
    if old == new:
        return
    was_paused, now_paused = old in PAUSED_STATUSES, new in PAUSED_STATUSES
    if now_paused and not was_paused:
        change.each_clock(clocks.pause)
    elif was_paused and not now_paused:
        change.each_clock(clocks.resume)
    change.set("status", new)
    change.event("status", before=old, after=new, reason=reason, public=True)


def _retarget(change: _Change, *, priority: str, issue_type: str) -> None:
    """Re-prioritising: met and breached targets stay; pending ones restart from now."""
    ticket = change.ticket
    specs = _policy_for(ticket).targets_for(priority, issue_type)
    paused = ticket.status in PAUSED_STATUSES
    for kind, clk in list(change.clocks.items()):
        if not clocks.is_pending(clk):
            continue
        clocks.supersede(ticket, clk, change.now)
        change.retired.append(clk)
        fresh = clocks.new_clock(ticket, specs[kind], at=change.now, paused=paused)
        change.clocks[kind] = fresh
        change.event(
            "sla_restarted",
            after={"target": kind, "priority": priority, "deadline": iso(fresh.deadline)},
        )


def _change_priority(
    change: _Change, *, priority: str | None, issue_type: str | None, reason: str
) -> None:
    ticket = change.ticket
    policy = _policy_for(ticket)
    new_priority = _validate_priority(policy, priority) if priority else ticket.priority
    new_type = _validate_issue_type(policy, issue_type) if issue_type else ticket.issue_type
    if new_priority == ticket.priority and new_type == ticket.issue_type:
        return
    if not reason.strip():
        raise InvalidInput(
            "changing the priority or issue type needs a reason", code="reason_required"
        )
    if new_priority != ticket.priority:
        change.event(
            "priority", before=ticket.priority, after=new_priority, reason=reason, public=True
        )
        change.set("priority", new_priority)
    if new_type != ticket.issue_type:
        change.event(
            "issue_type", before=ticket.issue_type, after=new_type, reason=reason, public=True
        )
        change.set("issue_type", new_type)
    _retarget(change, priority=new_priority, issue_type=new_type)


def _policy_due(change: _Change) -> datetime | None:
    clk = change.clocks.get(RESOLUTION)
    return clk.deadline if clk is not None and clocks.is_pending(clk) else None


def _set_due(
    change: _Change, due_at: datetime | None, reason: str, *, default: bool = False
) -> None:
    ticket = change.ticket
    policy_due = _policy_due(change)
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
    clock.ensure_aware(due_at, name="due_at")
    try:
        due_at = bounded_instant(due_at)
    except ValueError as exc:
        raise InvalidInput(f"due_at {exc}", code="invalid_due_at") from None
    if due_at <= change.now:
        raise InvalidInput("the due date must be in the future", code="due_at_in_past")
    later = policy_due is not None and due_at > policy_due
    if (later or not default) and not reason.strip():
        raise InvalidInput(
            "a due date later than the policy's resolution deadline needs a reason"
            if later
            else "changing the due date needs a reason",
            code="reason_required",
        )
    if ticket.due_at == due_at:
        return
    change.event(
        "due_date",
        before=iso(ticket.due_at),
        after=iso(due_at),
        reason=reason,
        public=True,
    )
    change.set("due_at", due_at)
    change.set("due_reason", reason.strip())


def _set_assignee(change: _Change, assignee: User | int | None) -> None:
    ticket = change.ticket
    if isinstance(assignee, int):
        assignee = people.staff_member(assignee)
    if assignee is not None and not access.is_staff(assignee):
        raise InvalidInput(f"{assignee.email} is not a member of staff", code="invalid_assignee")
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return
    change.event(
        "assignee",
        before=ticket.assignee_id,
        after=assignee.pk if assignee else None,
    )
    change.set("assignee", assignee)


def _set_team(change: _Change, team: Team | int | None) -> None:
    ticket = change.ticket
    if isinstance(team, int):
        team = people.team_by_id(team)
    if ticket.team_id == (team.pk if team else None):
        return
    change.event("team", before=ticket.team_id, after=team.pk if team else None)
    change.set("team", team)


def _add_message(
    change: _Change,
    *,
    body: str,
    kind: str = MessageKind.REPLY,
    internal: bool = False,
    question: bool = False,
    from_staff: bool,
    channel: str,
) -> TicketMessage:
    message = TicketMessage(
        ticket=change.ticket,
        author=change.actor,
        kind=kind,
        body=body,
        internal=internal,
        question=question,
        from_staff=from_staff,
        channel=channel,
        created_at=change.now,
    )
    insert([message])
    change.event(
        "note" if internal else "message",
        after={
            "message_id": message.pk,
            "kind": kind,
            "question": question,
            "from_staff": from_staff,
        },
        public=not internal,
    )
    change.events[-1].message = message
    if from_staff and not internal:
        change.meet(FIRST_RESPONSE)
    return message


# ---------------------------------------------------------------- create


def ticket_create(
    *,
    actor: User | None,
    store: Store,
    subject: str,
    description: str,
    issue_type: str,
    priority: str | None = None,
    channel: str = Channel.API,
    now: datetime | None = None,
    unverified_sender: bool = False,
    files: Sequence[Upload] = (),
    on_behalf_of: User | None = None,
) -> Ticket:
    """Open a ticket; its clocks start now (counting from the next opening on business hours).
    ``unverified_sender``: mail from an address that is no contact of the merchant (staff
    check it on triage). ``files``: attachments stored with it; what the limits refuse is on
    ``ticket.refused_files``. Staff who may file for the store (its account manager …) may name
    the merchant user it is raised for (``on_behalf_of``): they are its requester and hear of
    it."""
    now = now or clock.now()
    if actor is not None and not access.may_file_for(actor, store):
        if access.is_active(actor) and actor.role == "engineer":
            raise Forbidden("engineers do not open merchant tickets", code="action_forbidden")
        raise NotFound("store not found")
    if on_behalf_of is not None:
        if not access.is_staff(actor):
            raise Forbidden(
                "only staff raise tickets on a merchant's behalf", code="action_forbidden"
            )
        if on_behalf_of.merchant_id != store.merchant_id or not on_behalf_of.is_active:
            raise InvalidInput(
                f"{on_behalf_of.email} is not a user of {store.merchant}", code="invalid_requester"
            )
    subject = _text(subject, "subject", SUBJECT_MAX)
    description = _text(description, "description", BODY_MAX)
    if channel not in Channel.values:
        raise InvalidInput(f"unknown channel {channel!r}", code="invalid_channel")
    with transaction.atomic(), sla_selectors.read_once():
        policy = sla_selectors.current_policy()
        issue_type = _validate_issue_type(policy, issue_type)
        chosen = (
            _validate_priority(policy, priority)
            if priority
            else policy.issue_types[issue_type].default_priority
        )
        ticket = Ticket(
            merchant_id=store.merchant_id,
            store=store,
            requester=on_behalf_of or actor,
            subject=subject,
            description=description,
            issue_type=issue_type,
            priority=chosen,
            status=Status.NEW,
            channel=channel,
            policy_version_id=policy.version_id,
            unverified_sender=unverified_sender,
            created_at=now,
            updated_at=now,
        )
        insert([ticket])  # the INSERTs of a creation are compiled once (decision 0080)
        specs = policy.targets_for(chosen, issue_type)
        new = [clocks.new_clock(ticket, spec, at=now, paused=False) for spec in specs.values()]
        insert(new)
        by_kind = {c.kind: c for c in new}
        # What a reader would load: callers can present the ticket without reading it back.
        ticket.current_clocks = sorted(new, key=lambda c: c.kind)  # type: ignore[attr-defined]
        ticket.store = store
        ticket.merchant = store.merchant
        write_events(
            ticket,
            actor,
            [
                EventSpec(
                    "created",
                    after={
                        "status": Status.NEW,
                        "priority": chosen,
                        "issue_type": issue_type,
                        "channel": channel,
                        "first_response_due": iso(by_kind[FIRST_RESPONSE].deadline),
                        "resolution_due": iso(by_kind[RESOLUTION].deadline),
                        "policy_version": policy.number,
                        **({"unverified_sender": True} if unverified_sender else {}),
                        **({"on_behalf_of": on_behalf_of.pk} if on_behalf_of else {}),
                    },
                    public=True,
                    at=now,
                )
            ],
        )
        _stored, refused = attachments_store(ticket=ticket, message=None, files=files, now=now)
        ticket.refused_files = refused  # type: ignore[attr-defined]
    return ticket


# ---------------------------------------------------------------- messages


def ticket_reply(
    *,
    actor: User | None,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    question: bool = False,
    channel: str = Channel.API,
    now: datetime | None = None,
    as_merchant: bool = False,
    files: Sequence[Upload] = (),
) -> TicketMessage:
    """Post a message: a public reply (maybe a question), or an internal note (staff).
    ``as_merchant`` with no actor: the merchant's side writing by mail from an address that
    signs in nowhere (a contact, or a sender the mail service flags for staff)."""
    now = now or clock.now()
    body = _text(body, "body", BODY_MAX)
    with transaction.atomic():
        ticket = _lock(ticket)
        cap = "merchant" if actor is None and as_merchant else _capacity_or_404(actor, ticket)
        if cap == "merchant" and (internal or question):
            raise Forbidden("merchants post public messages only", code="action_forbidden")
        if cap == "engineer" and not internal:
            raise Forbidden("engineers post internal notes only", code="action_forbidden")
        if internal and question:
            raise InvalidInput(
                "an internal note cannot be a question to the merchant", code="invalid"
            )
        _refuse_closed(ticket, "posting")
        if question:
            lifecycle.check("ask", capacity=cap, status=ticket.status, priority=ticket.priority)
        change = _Change(ticket, actor, now)
        change.settle()
        message = _add_message(
            change,
            body=body,
            kind=MessageKind.NOTE if internal else MessageKind.REPLY,
            internal=internal,
            question=question,
            from_staff=cap != "merchant",
            channel=channel,
        )
        if question:
            _set_status(change, Status.WAITING_ON_MERCHANT, reason="question to the merchant")
        elif cap == "merchant":
            if ticket.status == Status.WAITING_ON_MERCHANT:
                _set_status(change, Status.IN_PROGRESS, reason="the merchant replied")
            elif ticket.status == Status.RESOLVED:
                _reopen(change, reason="the merchant replied")
        change.save()
        _stored, refused = attachments_store(ticket=ticket, message=message, files=files, now=now)
        message.refused_files = refused  # type: ignore[attr-defined]
    return message


def ticket_record(
    *,
    ticket: Ticket,
    kind: str,
    after: Any = None,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """An internal event for staff that changes no field (mail: "merchant asks for C1", "reply
    from an address that is no contact of this merchant")."""
    now = now or clock.now()
    with transaction.atomic():
        write_events(ticket, None, [EventSpec(kind, None, after, reason, False, now)])


def ticket_system_note(
    *, ticket: Ticket, body: str, what: str, public: bool = True, now: datetime | None = None
) -> TicketMessage:
    """A message from the system itself (the store monitor: "down again", "reachable again"),
    with a ``what`` event (e.g. ``monitor``). It meets no target and changes no state: staff
    still answer and resolve."""
    now = now or clock.now()
    body = _text(body, "body", BODY_MAX)
    with transaction.atomic():
        ticket = _lock(ticket)
        _refuse_closed(ticket, "posting")
        change = _Change(ticket, None, now)
        change.settle()
        message = TicketMessage.objects.create(
            ticket=ticket,
            kind=MessageKind.SYSTEM,
            body=body,
            internal=not public,
            channel=Channel.MONITOR,
            created_at=now,
        )
        change.event(what, after={"message_id": message.pk}, public=public)
        change.save()
    return message


# ---------------------------------------------------------------- transitions


def _reopen(change: _Change, *, reason: str) -> None:
    clk = change.clocks.get(RESOLUTION)
    if clk is not None:
        change.events.extend(clocks.unmeet(change.ticket, clk, change.now))
    change.set("resolved_at", None)
    change.event("reopened", reason=reason, public=True)
    _set_status(change, Status.IN_PROGRESS, reason=reason)


def ticket_transition(
    *,
    actor: User | None,
    ticket: Ticket,
    action: str,
    reason: str = "",
    now: datetime | None = None,
    priority: str | None = None,
    issue_type: str | None = None,
    due_at: datetime | None = None,
    assignee: User | int | None = None,
    team: Team | int | None = None,
    message: str | None = None,
    rating: int | None = None,
    comment: str = "",
    amount_inr: Decimal | str | None = None,
    description: str | None = None,
    valid_until: datetime | None = None,
    via: str = "",
    ip: str | None = None,
) -> Ticket:
    """Take one lifecycle action (POLICY.md's table) with the fields it needs. ``via`` and
    ``ip``: from where a quote decision came (recorded on the quote)."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        ticket = _lock(ticket)
        cap = SYSTEM_CAPACITY if actor is None else _capacity_or_404(actor, ticket)
        transition = lifecycle.check(
            action, capacity=cap, status=ticket.status, priority=ticket.priority
        )
        change = _Change(ticket, actor, now)
        change.settle()
        if action == "triage":
            _change_priority(change, priority=priority, issue_type=issue_type, reason=reason)
            _set_assignee(change, assignee)
            if team is not None:
                _set_team(change, team)
            _set_due(change, due_at, reason, default=True)
        elif action == "quote":
            if amount_inr is None or description is None or valid_until is None:
                raise InvalidInput(
                    "a quote needs amount_inr, description and valid_until", code="quote_incomplete"
                )
            quote = billing.quote_create(
                ticket_id=ticket.pk,
                amount_inr=amount_inr,
                description=description,
                valid_until=clock.ensure_aware(valid_until, name="valid_until"),
                actor_id=actor.pk if actor else None,
                now=now,
            )
            change.event(
                "quote",
                after={
                    "quote_id": quote.pk,
                    "amount_inr": str(quote.amount_inr),
                    "gst_percent": str(quote.gst_percent),
                    "valid_until": iso(quote.valid_until),
                    "description": quote.description,
                },
                public=True,
            )
        elif action in ("approve", "decline", "expire"):
            status = {"approve": "approved", "decline": "declined", "expire": "expired"}[action]
            if action == "decline" and not reason:
                raise InvalidInput(
                    "say why the quote is declined (support sees the reason)",
                    code="reason_required",
                )
            quote = billing.quote_decide(
                ticket_id=ticket.pk,
                status=status,
                actor_id=actor.pk if actor else None,
                reason=reason,
                now=now,
                via=via or ("system" if actor is None else "api"),
                ip=ip,
            )
            change.event(
                f"quote_{status}",
                after={"quote_id": quote.pk, "via": quote.decided_via},
                reason=reason,
                public=True,
            )
        elif action == "workaround":
            body = _text(message, "message", BODY_MAX)
            _add_message(
                change, body=body, kind=MessageKind.WORKAROUND, from_staff=True, channel=Channel.API
            )
            _record_workaround(change, reason=reason)
        elif action == "resolve":
            body = _text(message, "message", BODY_MAX)
            _add_message(
                change, body=body, kind=MessageKind.RESOLUTION, from_staff=True, channel=Channel.API
            )
            change.meet(RESOLUTION)
            change.set("resolved_at", now)
            change.event("resolved", reason=reason, public=True)
        elif action == "close":
            if rating is not None and not (isinstance(rating, int) and 1 <= rating <= 5):
                raise InvalidInput(
                    "rating must be a whole number from 1 to 5", code="invalid_rating"
                )
            change.set("closed_at", now)
            if rating is not None or comment.strip():
                change.set("rating", rating)
                change.set("rating_comment", comment.strip())
                change.event(
                    "rating", after={"rating": rating, "comment": comment.strip()}, public=True
                )
        elif action == "reopen":
            _reopen(change, reason=reason or "reopened by the merchant")
        elif action == "withdraw":
            change.each_clock(clocks.stop)
            change.set("closed_at", now)
            change.event("withdrawn", reason=reason, public=True)
        if transition.target is not None and action != "reopen":
            _set_status(change, transition.target, reason=reason)
        change.save()
    return ticket


SYSTEM_CAPACITY = lifecycle.SYSTEM


def _record_workaround(change: _Change, *, reason: str) -> None:
    """C1: the workaround meets the resolution target and the ticket drops to C2, whose
    resolution target starts now (the C1 targets stay met or breached)."""
    ticket = change.ticket
    change.meet(RESOLUTION)
    old = change.clocks[RESOLUTION]
    clocks.supersede(ticket, old, change.now)
    change.retired.append(old)
    change.event("workaround", public=True, reason=reason)
    change.event(
        "priority", before=ticket.priority, after="C2", reason="workaround recorded", public=True
    )
    change.set("priority", "C2")
    spec = _policy_for(ticket).targets_for("C2", ticket.issue_type)[RESOLUTION]
    fresh = clocks.new_clock(ticket, spec, at=change.now, paused=ticket.status in PAUSED_STATUSES)
    change.clocks[RESOLUTION] = fresh
    change.event(
        "sla_restarted",
        after={"target": RESOLUTION, "priority": "C2", "deadline": iso(fresh.deadline)},
    )


# ---------------------------------------------------------------- field changes


UNSET: Any = object()


def ticket_update(
    *,
    actor: User | None,
    ticket: Ticket,
    reason: str = "",
    priority: str | None = None,
    issue_type: str | None = None,
    team: Team | int | None = UNSET,
    assignee: User | int | None = UNSET,
    due_at: datetime | None = UNSET,
    now: datetime | None = None,
) -> Ticket:
    """Staff change the priority or issue type (with a reason), team, assignee, or due date
    (with a reason)."""
    now = now or clock.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        ticket = _lock(ticket)
        cap = _capacity_or_404(actor, ticket)
        if cap != "staff":
            raise Forbidden("only staff change a ticket's fields", code="action_forbidden")
        _refuse_closed(ticket, "changing it")
        change = _Change(ticket, actor, now)
        change.settle()
        if priority or issue_type:
            _change_priority(change, priority=priority, issue_type=issue_type, reason=reason)
        if team is not UNSET:
            _set_team(change, team)
        if assignee is not UNSET:
            _set_assignee(change, assignee)
        if due_at is not UNSET:
            if ticket.status == Status.NEW:
                raise TransitionRefused(
                    "the due date is assigned on triage",
                    allowed=lifecycle.allowed_actions(cap, ticket.status, ticket.priority),
                )
            _set_due(change, due_at, reason)
        change.save()
    return ticket
