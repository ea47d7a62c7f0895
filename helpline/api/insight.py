"""Search, reports (JSON, CSV, XLSX), "already reported?" and master incidents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from helpline.accounts.models import User
from helpline.api.auth import AUTH
from helpline.api.schemas import Id, In, errors
from helpline.api.tickets import TicketOut, ticket_out
from helpline.core import clock
from helpline.core.errors import InvalidInput
from helpline.reports import export, search, similar
from helpline.reports import selectors as reports
from helpline.tickets import incidents, selectors

router = Router(tags=["insight"], auth=AUTH)


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


# ------------------------------------------------------------------ search


class SearchQuery(In):
    q: str = Field(..., max_length=500, description='Words and "quoted phrases" (all must match)')
    status: list[str] = Field(default_factory=list)
    priority: list[str] = Field(default_factory=list)
    store: Id | None = None
    limit: int = Field(20, ge=1, le=100)


class HitOut(Schema):
    id: int
    reference: str
    subject: str
    status: str
    priority: str
    store: str
    score: float
    snippet: str = Field(..., description="HTML: escaped text, matches in <mark>")


class SearchOut(Schema):
    hits: list[HitOut]
    partial: bool = Field(
        ...,
        description="true when the search was cut by its time limit: the hits are the best "
        "of the newest matches only, and an older ticket may be missing; refine the search",
    )


@router.get("/search", response={200: SearchOut, **errors()})
def search_tickets(request: HttpRequest, query: Query[SearchQuery]) -> dict[str, Any]:
    found = search.search_tickets(
        user=_user(request),
        query=query.q,
        filters=search.SearchFilters(
            status=query.status, priority=query.priority, store=query.store
        ),
        limit=query.limit,
    )
    hits = [
        {
            "id": h.ticket.pk,
            "reference": h.ticket.reference,
            "subject": h.ticket.subject,
            "status": h.ticket.status,
            "priority": h.ticket.priority,
            "store": h.ticket.store.name,
            "score": h.score,
            "snippet": h.snippet,
        }
        for h in found.hits
    ]
    return {"hits": hits, "partial": found.partial}


# ------------------------------------------------------------------ reports


class ReportQuery(In):
    start: date
    end: date
    zone: str = Field("Asia/Kolkata", max_length=64)
    format: str = Field("json", pattern="^(json|csv|xlsx)$")


class TableOut(Schema):
    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


@router.get("/reports", response={200: list[str], **errors()})
def list_reports(request: HttpRequest) -> list[str]:
    return reports.available(_user(request))


@router.get("/reports/{name}", response={200: TableOut, **errors(404)})
def get_report(request: HttpRequest, name: str, query: Query[ReportQuery]) -> Any:
    user = _user(request)
    if name not in reports.available(user):
        raise InvalidInput(
            f"unknown report {name!r}; one of: {', '.join(reports.available(user))}",
            code="unknown_report",
        )
    period = reports.Period.of(start=query.start, end=query.end, zone=query.zone)
    table = reports.report(user=user, name=name, period=period, now=clock.now())
    if query.format == "json":
        return table
    content, content_type, filename = export.export(table, query.format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ------------------------------------------------------------------ already reported?


class DraftIn(In):
    text: str = Field(..., max_length=20_000, description="The subject and description so far")


class SuggestionOut(Schema):
    id: int
    reference: str
    subject: str
    status: str
    score: float
    lexical: float
    semantic: float | None


class IncidentOut(Schema):
    id: int
    title: str
    description: str
    started_at: datetime


class SuggestionsOut(Schema):
    incidents: list[IncidentOut]
    tickets: list[SuggestionOut]
    semantic: bool = Field(..., description="Whether the semantic model scored them")


@router.post("/similar-tickets", response={200: SuggestionsOut, **errors()})
def similar_tickets(request: HttpRequest, payload: DraftIn) -> dict[str, Any]:
    user = _user(request)
    found = similar.similar_open_tickets(user=user, text=payload.text)
    return {
        "incidents": similar.open_incidents(user=user),
        "tickets": [
            {
                "id": s.ticket.pk,
                "reference": s.ticket.reference,
                "subject": s.ticket.subject,
                "status": s.ticket.status,
                "score": round(s.score, 4),
                "lexical": round(s.lexical, 4),
                "semantic": None if s.semantic is None else round(s.semantic, 4),
            }
            for s in found
        ],
        "semantic": similar.semantic_model() is not None,
    }


# ------------------------------------------------------------------ master incidents


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
    return selectors.ticket_get(user=_user(request), ticket_id=ticket_id)


@router.post("/tickets/{ticket_id}/link", response={200: TicketOut, **errors(403, 404, 409)})
def link_ticket(request: HttpRequest, ticket_id: int, payload: LinkIn) -> Any:
    user = _user(request)
    master = _ticket(request, payload.master)
    incidents.ticket_link(actor=user, ticket=_ticket(request, ticket_id), master=master)
    return ticket_out(selectors.ticket_get(user=user, ticket_id=ticket_id), user)


@router.post("/tickets/{ticket_id}/unlink", response={200: TicketOut, **errors(403, 404)})
def unlink_ticket(request: HttpRequest, ticket_id: int) -> Any:
    user = _user(request)
    incidents.ticket_unlink(actor=user, ticket=_ticket(request, ticket_id))
    return ticket_out(selectors.ticket_get(user=user, ticket_id=ticket_id), user)


@router.post(
    "/tickets/{ticket_id}/incident-update", response={200: CountOut, **errors(403, 404, 409)}
)
def incident_update(request: HttpRequest, ticket_id: int, payload: UpdateIn) -> Any:
    n = incidents.master_update(
        actor=_user(request), master=_ticket(request, ticket_id), body=payload.body
    )
    return {"linked": n}


@router.post(
    "/tickets/{ticket_id}/incident-resolve", response={200: CountOut, **errors(403, 404, 409)}
)
def incident_resolve(request: HttpRequest, ticket_id: int, payload: UpdateIn) -> Any:
    n = incidents.master_resolve(
        actor=_user(request), master=_ticket(request, ticket_id), message=payload.body
    )
    return {"linked": n}


@router.post("/tickets/{ticket_id}/merge", response={200: TicketOut, **errors(403, 404, 409)})
def merge_tickets(request: HttpRequest, ticket_id: int, payload: MergeIn) -> Any:
    user = _user(request)
    duplicates = [_ticket(request, pk) for pk in payload.duplicates]
    incidents.tickets_merge(
        actor=user,
        survivor=_ticket(request, ticket_id),
        duplicates=duplicates,
        reason=payload.reason,
    )
    return ticket_out(selectors.ticket_get(user=user, ticket_id=ticket_id), user)
