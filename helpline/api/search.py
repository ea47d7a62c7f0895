"""Search and "already reported?": words across tickets, and similar open tickets for a draft."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import Id, In, errors
from helpline.reports import search, similar

router = Router(tags=["search"], auth=AUTH)


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
        user=user_of(request),
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


# ------------------------------------------------------------------ already reported?


class DraftIn(In):
    text: str = Field(..., max_length=20_000, description="The subject and description so far")
    store: Id | None = Field(None, description="The store the ticket is for, when chosen")
    issue_type: str | None = Field(None, max_length=64, description="The issue type, when chosen")


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


class ArticleOut(Schema):
    id: int
    title: str
    url: str
    score: float


class SuggestionsOut(Schema):
    incidents: list[IncidentOut]
    tickets: list[SuggestionOut]
    articles: list[ArticleOut]
    semantic: bool = Field(..., description="Always false: no model scores them (decision 0221)")


@router.post("/similar-tickets", response={200: SuggestionsOut, **errors()})
def similar_tickets(request: HttpRequest, payload: DraftIn) -> dict[str, Any]:
    """Only what is likely the same problem (decision 0221): often nothing at all."""
    user = user_of(request)
    found = similar.similar_open_tickets(
        user=user, text=payload.text, store_id=payload.store, issue_type=payload.issue_type
    )
    articles = similar.suggested_articles(user=user, text=payload.text)
    return {
        "incidents": similar.open_incidents(user=user, text=payload.text),
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
        "articles": [
            {
                "id": a.article.pk,
                "title": a.article.title,
                "url": reverse(
                    "web:article",
                    kwargs={"category": a.article.category.slug, "slug": a.article.slug},
                ),
                "score": round(a.score, 4),
            }
            for a in articles
        ],
        "semantic": False,
    }
