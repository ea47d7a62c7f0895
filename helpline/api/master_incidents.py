"""Master incidents: link a ticket to a master, post to or resolve a master and every
ticket linked to it, merge duplicates into a survivor."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import Id, In, errors
from helpline.api.tickets import TicketOut, ticket_out
from helpline.tickets import incidents, selectors

router = Router(tags=["master incidents"], auth=AUTH)


class LinkIn(In):
    master: Id


class UpdateIn(In):
    body: str = Field(..., max_length=100_000)


class MergeIn(In):
    duplicates: list[Id] = Field(..., min_length=1, max_length=incidents.MERGE_MAX)
    reason: str = Field("", max_length=2000)


class CountOut(Schema):
    linked: int


def _ticket(request: HttpRequest, ticket_id: int) -> Any:
    return selectors.ticket_get(user=user_of(request), ticket_id=ticket_id)


@router.post("/tickets/{ticket_id}/link", response={200: TicketOut, **errors(403, 404, 409)})
def link_ticket(request: HttpRequest, ticket_id: int, payload: LinkIn) -> Any:
    user = user_of(request)
    master = _ticket(request, payload.master)
    incidents.ticket_link(actor=user, ticket=_ticket(request, ticket_id), master=master)
    return ticket_out(selectors.ticket_get(user=user, ticket_id=ticket_id), user)


@router.post("/tickets/{ticket_id}/unlink", response={200: TicketOut, **errors(403, 404)})
def unlink_ticket(request: HttpRequest, ticket_id: int) -> Any:
    user = user_of(request)
    incidents.ticket_unlink(actor=user, ticket=_ticket(request, ticket_id))
    return ticket_out(selectors.ticket_get(user=user, ticket_id=ticket_id), user)


@router.post(
    "/tickets/{ticket_id}/incident-update", response={200: CountOut, **errors(403, 404, 409)}
)
def incident_update(request: HttpRequest, ticket_id: int, payload: UpdateIn) -> Any:
    n = incidents.master_update(
        actor=user_of(request), master=_ticket(request, ticket_id), body=payload.body
    )
    return {"linked": n}


@router.post(
    "/tickets/{ticket_id}/incident-resolve", response={200: CountOut, **errors(403, 404, 409)}
)
def incident_resolve(request: HttpRequest, ticket_id: int, payload: UpdateIn) -> Any:
    n = incidents.master_resolve(
        actor=user_of(request), master=_ticket(request, ticket_id), message=payload.body
    )
    return {"linked": n}


@router.post("/tickets/{ticket_id}/merge", response={200: TicketOut, **errors(403, 404, 409)})
def merge_tickets(request: HttpRequest, ticket_id: int, payload: MergeIn) -> Any:
    user = user_of(request)
    duplicates = [_ticket(request, pk) for pk in payload.duplicates]
    incidents.tickets_merge(
        actor=user,
        survivor=_ticket(request, ticket_id),
        duplicates=duplicates,
        reason=payload.reason,
    )
    return ticket_out(selectors.ticket_get(user=user, ticket_id=ticket_id), user)
