"""Tickets: create, list, read, change, messages, transitions, events."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime

from helpline.accounts import access
from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import User
from helpline.api.auth import AUTH, user_of
from helpline.api.idempotency import OPENAPI, idempotent
from helpline.api.schemas import Id, In, Instant, Out, errors
from helpline.billing import services as billing
from helpline.core import clock
from helpline.core.errors import Forbidden
from helpline.merchants import selectors as merchant_selectors
from helpline.sla.defaults import FIRST_RESPONSE, RESOLUTION
from helpline.tickets import lifecycle, selectors, services
from helpline.tickets.models import OPEN_STATUSES, Channel, Ticket, TicketClock

router = Router(tags=["tickets"], auth=AUTH)


# ------------------------------------------------------------------ output


class ClockOut(Out):
    state: str = Field(..., description="running, paused, met, breached or stopped")
    priority: str
    minutes: int
    calendar: str
    started_at: AwareDatetime
    deadline: AwareDatetime | None
    warn_at: AwareDatetime | None
    paused_since: AwareDatetime | None
    met_at: AwareDatetime | None
    breached_at: AwareDatetime | None
    business_seconds: int | None = Field(None, description="Time taken to meet it, business time")
    wall_seconds: int | None = Field(None, description="Time taken to meet it, calendar time")


class TicketOut(Out):
    id: int
    reference: str
    store: int
    store_name: str
    merchant: str
    subject: str
    description: str
    status: str
    priority: str
    issue_type: str
    channel: str
    assignee: int | None = Field(None, description="Not shown to merchants")
    team: int | None = Field(None, description="Not shown to merchants")
    due_at: AwareDatetime | None = Field(
        None, description="The due date promised (none before triage, or while a new one is due)"
    )
    due_reason: str
    due_state: str = Field(
        "none",
        description="none (not triaged), new_due_date_pending (reopened after the due date "
        "passed: 'a new due date will be set'), running, passed (open past it), done",
    )
    first_due_at: AwareDatetime | None = Field(None, description="Staff only: the first given")
    unverified_sender: bool | None = Field(
        None,
        description="Staff only: opened by mail that did not prove its sender (no contact, or a "
        "contact's address without DKIM/DMARC proof); null for merchants",
    )
    created_at: AwareDatetime
    updated_at: AwareDatetime
    resolved_at: AwareDatetime | None
    closed_at: AwareDatetime | None
    rating: int | None
    first_response_due: AwareDatetime | None
    resolution_due: AwareDatetime | None
    first_response: ClockOut | None
    resolution: ClockOut | None
    breached: bool
    allowed_actions: list[str]


def _clock_out(clk: TicketClock | None) -> dict[str, Any] | None:
    if clk is None:
        return None
    return {
        "state": clk.state,
        "priority": clk.priority,
        "minutes": int(clk.length.total_seconds() // 60),
        "calendar": clk.calendar,
        "started_at": clk.started_at,
        "deadline": clk.deadline,
        "warn_at": clk.warn_at,
        "paused_since": clk.paused_since,
        "met_at": clk.met_at,
        "breached_at": clk.breached_at,
        "business_seconds": int(clk.taken_business.total_seconds())
        if clk.taken_business is not None
        else None,
        "wall_seconds": int(clk.taken_wall.total_seconds()) if clk.taken_wall is not None else None,
    }


def _due_state(ticket: Ticket) -> str:
    """The due date's state, never "overdue" while a new one is to be set."""
    if ticket.needs_due_date:
        return "new_due_date_pending"
    if ticket.due_at is None:
        return "none"
    if ticket.status not in OPEN_STATUSES:
        return "done"
    return "passed" if ticket.due_at <= clock.now() else "running"


def ticket_out(ticket: Ticket, user: User) -> dict[str, Any]:
    internal = access.sees_internal(user)
    first = selectors.current_clock(ticket, FIRST_RESPONSE)
    resolution = selectors.current_clock(ticket, RESOLUTION)
    # The ticket came through the scoped selectors, so the caller may see it: only the role
    # decides the capacity (no query per row).
    cap = "merchant" if not internal else ("engineer" if user.role == "engineer" else "staff")
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "store": ticket.store_id,
        "store_name": ticket.store.name,
        "merchant": ticket.merchant.slug,
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "priority": ticket.priority,
        "issue_type": ticket.issue_type,
        "channel": ticket.channel,
        "assignee": ticket.assignee_id if internal else None,
        "team": ticket.team_id if internal else None,
        "due_at": None if ticket.needs_due_date else ticket.due_at,
        "due_reason": ticket.due_reason,
        "due_state": _due_state(ticket),
        "first_due_at": ticket.first_due_at if internal else None,
        "unverified_sender": ticket.unverified_sender if internal else None,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "rating": ticket.rating,
        "first_response_due": first.deadline if first else None,
        "resolution_due": resolution.deadline if resolution else None,
        "first_response": _clock_out(first),
        "resolution": _clock_out(resolution),
        "breached": any(c.breached_at is not None for c in (first, resolution) if c is not None),
        "allowed_actions": lifecycle.allowed_actions(cap, ticket.status, ticket.priority),
    }


class TicketPage(Out):
    items: list[TicketOut]
    next: str | None = Field(None, description="Pass as `cursor` for the next page")


# ------------------------------------------------------------------ create / list / read


class TicketIn(In):
    store: Id
    subject: str = Field(..., max_length=200)
    description: str = Field(..., max_length=100_000)
    issue_type: str = Field(..., max_length=64)
    priority: str | None = Field(None, max_length=2)
    on_behalf_of: Id | None = Field(
        None, description="Staff: the merchant user the ticket is raised for (its requester)"
    )


@router.post("/tickets", response={201: TicketOut, **errors(403, 404)}, openapi_extra=OPENAPI)
def create_ticket(request: HttpRequest, payload: TicketIn) -> Any:
    user = user_of(request)

    def create() -> dict[str, Any]:
        store = merchant_selectors.store_get(user=user, store_id=payload.store)
        ticket = services.ticket_create(
            actor=user,
            store=store,
            subject=payload.subject,
            description=payload.description,
            issue_type=payload.issue_type,
            priority=payload.priority,
            channel=Channel.API,
            on_behalf_of=_requester(user, payload.on_behalf_of),
        )
        return ticket_out(ticket, user)

    return idempotent(request, user=user, schema=TicketOut, status=201, create=create)


def _requester(user: User, user_id: int | None) -> User | None:
    """The merchant user a member of staff files for. Anybody else is refused before the id is
    looked up, so that the answer never tells which ids are merchant users (issue 21)."""
    if user_id is None:
        return None
    if not access.is_staff(user):
        raise Forbidden("only staff raise tickets on a merchant's behalf", code="action_forbidden")
    return account_selectors.merchant_user(user_id)


class TicketQuery(In):
    status: list[str] = Field(default_factory=list)
    priority: list[str] = Field(default_factory=list)
    store: Id | None = None
    team: Id | None = Field(None, description="Staff only")
    assignee: Id | None = Field(None, description="Staff only")
    breached: bool | None = Field(None, description="Any target ever breached")
    to_triage: bool = Field(
        False, description="Staff only: new, or reopened after the due date passed"
    )
    due_before: Instant | None = Field(None, description="The nearest pending deadline is before")
    order: Literal["newest", "due"] = Field(
        "newest",
        description="newest: by id, newest first. due: the nearest pending deadline first, "
        "then the tickets without one (paused, met, closed), oldest first. A cursor continues "
        "the order it came from.",
    )
    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(50, ge=1, le=200)


@router.get("/tickets", response={200: TicketPage, **errors(403)})
def list_tickets(request: HttpRequest, query: Query[TicketQuery]) -> dict[str, Any]:
    user = user_of(request)
    filters = selectors.TicketFilters(
        status=query.status,
        priority=query.priority,
        store=query.store,
        team=query.team,
        assignee=query.assignee,
        breached=query.breached,
        to_triage=query.to_triage,
        due_before=query.due_before,
        order=query.order,
    )
    rows, nxt = selectors.ticket_list(
        user=user, filters=filters, cursor=query.cursor, limit=query.limit
    )
    return {"items": [ticket_out(t, user) for t in rows], "next": nxt}


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **errors(404)})
def get_ticket(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    user = user_of(request)
    return ticket_out(selectors.ticket_get(user=user, ticket_id=ticket_id), user)


class TicketPatch(In):
    priority: str | None = Field(None, max_length=2)
    issue_type: str | None = Field(None, max_length=64)
    team: Id | None = None
    assignee: Id | None = None
    due_at: Instant | None = None
    reason: str = Field("", max_length=2000)


@router.patch("/tickets/{ticket_id}", response={200: TicketOut, **errors(403, 404, 409)})
def update_ticket(request: HttpRequest, ticket_id: int, payload: TicketPatch) -> dict[str, Any]:
    user = user_of(request)
    ticket = selectors.ticket_get(user=user, ticket_id=ticket_id)
    given = payload.model_fields_set
    changes: dict[str, Any] = {}
    # Ids go to the service as they are: it resolves them after deciding who may change what.
    if "team" in given:
        changes["team"] = payload.team
    if "assignee" in given:
        changes["assignee"] = payload.assignee
    if "due_at" in given:
        changes["due_at"] = payload.due_at
    services.ticket_update(
        actor=user,
        ticket=ticket,
        reason=payload.reason,
        priority=payload.priority,
        issue_type=payload.issue_type,
        **changes,
    )
    return ticket_out(selectors.ticket_get(user=user, ticket_id=ticket_id), user)


# ------------------------------------------------------------------ messages


class MessageIn(In):
    body: str = Field(..., max_length=100_000)
    internal: bool = False
    question: bool = Field(False, description="A public staff reply that asks the merchant")


class MessageOut(Schema):
    id: int
    kind: str
    body: str
    internal: bool
    question: bool
    from_staff: bool
    author: int | None
    author_name: str
    channel: str
    created_at: AwareDatetime

    @staticmethod
    def resolve_author(obj: Any) -> int | None:
        return obj.author_id

    @staticmethod
    def resolve_author_name(obj: Any) -> str:
        return str(obj.author) if obj.author_id else "Helpline"


@router.get("/tickets/{ticket_id}/messages", response={200: list[MessageOut], **errors(404)})
def list_messages(request: HttpRequest, ticket_id: int) -> Any:
    user = user_of(request)
    ticket = selectors.ticket_get(user=user, ticket_id=ticket_id)
    return selectors.ticket_messages(user=user, ticket=ticket)


@router.post(
    "/tickets/{ticket_id}/messages",
    response={201: MessageOut, **errors(403, 404, 409)},
    openapi_extra=OPENAPI,
)
def post_message(request: HttpRequest, ticket_id: int, payload: MessageIn) -> Any:
    user = user_of(request)

    def create() -> Any:
        ticket = selectors.ticket_get(user=user, ticket_id=ticket_id)
        return services.ticket_reply(
            actor=user,
            ticket=ticket,
            body=payload.body,
            internal=payload.internal,
            question=payload.question,
        )

    return idempotent(request, user=user, schema=MessageOut, status=201, create=create)


# ------------------------------------------------------------------ transitions and events


class TransitionIn(In):
    action: str = Field(..., max_length=20, description=", ".join(lifecycle.PUBLIC_ACTIONS))
    reason: str = Field("", max_length=2000)
    priority: str | None = Field(None, max_length=2, description="triage")
    issue_type: str | None = Field(None, max_length=64, description="triage")
    due_at: Instant | None = Field(None, description="triage (default: the policy's deadline)")
    assignee: Id | None = Field(None, description="triage")
    team: Id | None = Field(None, description="triage")
    message: str | None = Field(
        None, max_length=100_000, description="workaround, resolve: the public message"
    )
    rating: int | None = Field(None, ge=1, le=5, description="close")
    comment: str = Field("", max_length=5000, description="close")
    amount_inr: Decimal | None = Field(
        None, gt=0, max_digits=12, decimal_places=2, description="quote"
    )
    description: str | None = Field(None, max_length=10_000, description="quote")
    valid_until: Instant | None = Field(None, description="quote")


def _triage(user: User, ticket: Ticket, p: TransitionIn) -> object:
    return services.ticket_triage(
        actor=user,
        ticket=ticket,
        reason=p.reason,
        priority=p.priority,
        issue_type=p.issue_type,
        due_at=p.due_at,
        assignee=p.assignee,
        team=p.team,
    )


def _quote(user: User, ticket: Ticket, p: TransitionIn) -> object:
    return billing.quote_create(
        actor=user,
        ticket=ticket,
        amount_inr=p.amount_inr,
        description=p.description,
        valid_until=p.valid_until,
        reason=p.reason,
    )


# Each public action's service, with the fields of the body it takes.
TRANSITIONS: dict[str, Callable[[User, Ticket, TransitionIn], object]] = {
    "triage": _triage,
    "start": lambda u, t, p: services.ticket_start(actor=u, ticket=t, reason=p.reason),
    "quote": _quote,
    "approve": lambda u, t, p: billing.quote_approve(actor=u, ticket=t, reason=p.reason),
    "decline": lambda u, t, p: billing.quote_decline(actor=u, ticket=t, reason=p.reason),
    "workaround": lambda u, t, p: services.ticket_workaround(
        actor=u, ticket=t, message=p.message, reason=p.reason
    ),
    "resolve": lambda u, t, p: services.ticket_resolve(
        actor=u, ticket=t, message=p.message, reason=p.reason
    ),
    "close": lambda u, t, p: services.ticket_close(
        actor=u, ticket=t, rating=p.rating, comment=p.comment, reason=p.reason
    ),
    "reopen": lambda u, t, p: services.ticket_reopen(actor=u, ticket=t, reason=p.reason),
    "withdraw": lambda u, t, p: services.ticket_withdraw(actor=u, ticket=t, reason=p.reason),
}


@router.post("/tickets/{ticket_id}/transitions", response={200: TicketOut, **errors(403, 404, 409)})
def transition(request: HttpRequest, ticket_id: int, payload: TransitionIn) -> dict[str, Any]:
    user = user_of(request)
    ticket = selectors.ticket_get(user=user, ticket_id=ticket_id)
    take = TRANSITIONS.get(payload.action)
    if take is None:
        raise lifecycle.unknown_action(payload.action)
    take(user, ticket, payload)
    return ticket_out(selectors.ticket_get(user=user, ticket_id=ticket_id), user)


class EventOut(Schema):
    id: int
    kind: str
    actor: int | None
    actor_name: str
    before: Any = None
    after: Any = None
    reason: str
    public: bool
    created_at: AwareDatetime

    @staticmethod
    def resolve_actor(obj: Any) -> int | None:
        return obj.actor_id

    @staticmethod
    def resolve_actor_name(obj: Any) -> str:
        return str(obj.actor) if obj.actor_id else "Helpline"


@router.get("/tickets/{ticket_id}/events", response={200: list[EventOut], **errors(404)})
def list_events(request: HttpRequest, ticket_id: int) -> Any:
    user = user_of(request)
    ticket = selectors.ticket_get(user=user, ticket_id=ticket_id)
    return selectors.ticket_events(user=user, ticket=ticket)
