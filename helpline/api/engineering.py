"""Developer tickets: list, open (escalate), read, change, link merchant tickets.

Engineers, agents and admins see every developer ticket; an account manager those linked to their
stores; merchants none (403: engineering is internal).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import Id, In, Instant, errors
from helpline.core.errors import Forbidden
from helpline.engineering import selectors, services
from helpline.engineering.models import DevTicket
from helpline.tickets import selectors as ticket_selectors

router = Router(tags=["engineering"], auth=AUTH)


def _engineering_user(request: HttpRequest) -> User:
    """The signed-in person, if they may see developer tickets."""
    user = user_of(request)
    if not access.sees_engineering(user):
        raise Forbidden("developer tickets are internal", code="action_forbidden")
    return user


class LinkedTicketOut(Schema):
    id: int
    reference: str
    store: int
    status: str


class DevTicketOut(Schema):
    id: int
    reference: str
    title: str
    description: str
    status: str
    engineer: int | None
    engineer_name: str
    eta: AwareDatetime | None
    created_at: AwareDatetime
    updated_at: AwareDatetime | None
    done_at: AwareDatetime | None
    tickets: list[LinkedTicketOut]


def dev_out(dev: DevTicket) -> dict[str, Any]:
    return {
        "id": dev.pk,
        "reference": dev.reference,
        "title": dev.title,
        "description": dev.description,
        "status": dev.status,
        "engineer": dev.engineer_id,
        "engineer_name": str(dev.engineer) if dev.engineer_id else "",
        "eta": dev.eta,
        "created_at": dev.created_at,
        "updated_at": dev.updated_at,
        "done_at": dev.done_at,
        "tickets": [
            {"id": t.pk, "reference": t.reference, "store": t.store_id, "status": t.status}
            for t in dev.tickets.all()
        ],
    }


class DevQuery(In):
    status: list[str] = Field(default_factory=list)


@router.get("/dev-tickets", response={200: list[DevTicketOut], **errors(403)})
def list_dev_tickets(request: HttpRequest, query: Query[DevQuery]) -> Any:
    user = _engineering_user(request)
    return [dev_out(d) for d in selectors.devticket_list(user=user, status=query.status)]


class DevTicketIn(In):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=100_000)
    tickets: list[Id] = Field(..., min_length=1, max_length=50)
    engineer: Id | None = None
    eta: Instant | None = None


def _open(user: User, payload: Any, ticket_ids: list[int]) -> dict[str, Any]:
    dev = services.devticket_open(
        actor=user,
        title=payload.title,
        description=payload.description,
        ticket_ids=ticket_ids,
        engineer_id=payload.engineer,
        eta=payload.eta,
    )
    return dev_out(selectors.devticket_get(user=user, dev_id=dev.pk))


@router.post("/dev-tickets", response={201: DevTicketOut, **errors(403, 404)})
def open_dev_ticket(request: HttpRequest, payload: DevTicketIn) -> Status[Any]:
    user = _engineering_user(request)
    return Status(201, _open(user, payload, list(payload.tickets)))


class EscalateIn(In):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=100_000)
    engineer: Id | None = None
    eta: Instant | None = None


@router.post("/tickets/{ticket_id}/escalate", response={201: DevTicketOut, **errors(403, 404)})
def escalate(request: HttpRequest, ticket_id: int, payload: EscalateIn) -> Status[Any]:
    """A developer ticket for this merchant ticket ("with engineering")."""
    user = user_of(request)
    ticket_selectors.ticket_get(user=user, ticket_id=ticket_id)  # 404 before 403
    user = _engineering_user(request)
    return Status(201, _open(user, payload, [ticket_id]))


@router.get(
    "/tickets/{ticket_id}/dev-tickets", response={200: list[DevTicketOut], **errors(403, 404)}
)
def ticket_dev_tickets(request: HttpRequest, ticket_id: int) -> Any:
    user = user_of(request)
    ticket = ticket_selectors.ticket_get(user=user, ticket_id=ticket_id)
    user = _engineering_user(request)
    return [
        dev_out(d) for d in selectors.visible_devtickets(user).filter(tickets=ticket).order_by("pk")
    ]


@router.get("/dev-tickets/{dev_id}", response={200: DevTicketOut, **errors(403, 404)})
def get_dev_ticket(request: HttpRequest, dev_id: str) -> Any:
    user = _engineering_user(request)
    return dev_out(selectors.devticket_get(user=user, dev_id=dev_id))


class DevPatch(In):
    status: str | None = Field(
        None, max_length=20, description="open, in_progress, in_review, done"
    )
    engineer: Id | None = None
    eta: Instant | None = Field(None, description="Moves the linked tickets' due dates")


@router.patch("/dev-tickets/{dev_id}", response={200: DevTicketOut, **errors(403, 404)})
def update_dev_ticket(request: HttpRequest, dev_id: str, payload: DevPatch) -> Any:
    user = _engineering_user(request)
    dev = selectors.devticket_get(user=user, dev_id=dev_id)
    given = payload.model_fields_set
    changes: dict[str, Any] = {}
    if "engineer" in given:
        changes["engineer_id"] = payload.engineer
    if "eta" in given:
        changes["eta"] = payload.eta
    services.devticket_update(actor=user, dev=dev, status=payload.status, **changes)
    return dev_out(selectors.devticket_get(user=user, dev_id=dev.pk))


class LinkIn(In):
    ticket: Id


@router.post("/dev-tickets/{dev_id}/tickets", response={200: DevTicketOut, **errors(403, 404)})
def link_ticket(request: HttpRequest, dev_id: str, payload: LinkIn) -> Any:
    user = _engineering_user(request)
    dev = selectors.devticket_get(user=user, dev_id=dev_id)
    services.devticket_link(actor=user, dev=dev, ticket_id=payload.ticket)
    return dev_out(selectors.devticket_get(user=user, dev_id=dev.pk))
