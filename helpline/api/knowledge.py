"""The knowledge base (decision 0220): articles to read (merchants: published; staff: all),
staff write them (or draft one from a resolved ticket), overdue reviews, deflection counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import Id, In, errors
from helpline.core import clock
from helpline.core.errors import InvalidInput, NotFound
from helpline.knowledge import selectors, services
from helpline.knowledge.models import Article

router = Router(tags=["knowledge"], auth=AUTH)


class ArticleOut(Schema):
    id: int
    category: str
    slug: str
    language: str
    title: str
    body: str = Field(..., description="Markdown as written")
    body_html: str = Field(..., description="The body rendered and sanitised")
    visibility: str
    status: str
    review_by: date | None
    url: str
    updated_at: datetime


def _out(a: Article) -> dict[str, Any]:
    return {
        "id": a.pk,
        "category": a.category.slug,
        "slug": a.slug,
        "language": a.language,
        "title": a.title,
        "body": a.body,
        "body_html": a.body_html,
        "visibility": a.visibility,
        "status": a.status,
        "review_by": a.review_by,
        "url": reverse("web:article", kwargs={"category": a.category.slug, "slug": a.slug}),
        "updated_at": a.updated_at,
    }


class ArticleQuery(In):
    q: str = Field("", max_length=500, description="Words to search for; empty: all")
    limit: int = Field(50, ge=1, le=200)


@router.get("/articles", response={200: list[ArticleOut], **errors()})
def article_list(request: HttpRequest, query: Query[ArticleQuery]) -> Any:
    user = user_of(request)
    if query.q.strip():
        return [
            _out(a) for a in selectors.search_articles(user=user, query=query.q, limit=query.limit)
        ]
    return [_out(a) for a in selectors.visible_articles(user).order_by("pk")[: query.limit]]


@router.get("/articles/overdue", response={200: list[ArticleOut], **errors()})
def article_overdue(request: HttpRequest) -> Any:
    """Published articles whose review-by date has come (staff; empty for anyone else)."""
    return [
        _out(a) for a in selectors.overdue_reviews(user=user_of(request), today=clock.now().date())
    ]


class DeflectionRow(Schema):
    article: int
    title: str
    shown: int
    clicked: int
    solved: int


@router.get("/articles/deflection-report", response={200: list[DeflectionRow], **errors()})
def deflection_report(request: HttpRequest) -> Any:
    """Per article: shown, opened, "this solved it" (staff; empty for anyone else)."""
    return [
        {
            "article": r["article"].pk,  # type: ignore[attr-defined]
            "title": r["article"].title,  # type: ignore[attr-defined]
            "shown": r["shown"],
            "clicked": r["clicked"],
            "solved": r["solved"],
        }
        for r in selectors.deflection_report(user=user_of(request))
    ]


@router.get("/articles/{article_id}", response={200: ArticleOut, **errors(404)})
def article_read(request: HttpRequest, article_id: Id) -> Any:
    article = selectors.article_for(user=user_of(request), article_id=article_id)
    if article is None:
        raise NotFound("not found")
    return _out(article)


class ArticleIn(In):
    category: str = Field(..., max_length=60, description="The category's slug")
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=100_000, description="Markdown")
    slug: str = Field("", max_length=80)
    language: str = Field("en", max_length=10)
    visibility: Literal["public", "merchants"] = "public"
    status: Literal["draft", "published"] = "draft"
    review_by: date | None = None


def _category(slug: str) -> Any:
    found = [c for c in selectors.category_list() if c.slug == slug]
    if not found:
        raise InvalidInput(f"category: no category {slug!r}")
    return found[0]


@router.post("/articles", response={201: ArticleOut, **errors(403)})
def article_create(request: HttpRequest, payload: ArticleIn) -> Any:
    fields = payload.dict()
    category = _category(fields.pop("category"))
    article = services.article_create(actor=user_of(request), category=category, **fields)
    return Status(201, _out(article))


class ArticlePatch(In):
    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=100_000)
    visibility: Literal["public", "merchants"] | None = None
    status: Literal["draft", "published"] | None = None
    review_by: date | None = None


def _staff_article(request: HttpRequest, article_id: int) -> Article:
    article = selectors.article_for(user=user_of(request), article_id=article_id)
    if article is None:
        raise NotFound("not found")
    return article


@router.patch("/articles/{article_id}", response={200: ArticleOut, **errors(403, 404)})
def article_update(request: HttpRequest, article_id: Id, payload: ArticlePatch) -> Any:
    article = _staff_article(request, article_id)
    changes = payload.dict(exclude_unset=True)
    return _out(services.article_update(actor=user_of(request), article=article, **changes))


class FromTicketIn(In):
    category: str = Field(..., max_length=60)


@router.post("/tickets/{ticket_id}/article", response={201: ArticleOut, **errors(403, 404)})
def article_from_ticket(request: HttpRequest, ticket_id: Id, payload: FromTicketIn) -> Any:
    """Staff: a draft article from a resolved ticket (subject, problem, resolution note)."""
    article = services.article_from_ticket(
        actor=user_of(request), ticket_id=ticket_id, category=_category(payload.category)
    )
    return Status(201, _out(article))


class DeflectionIn(In):
    kind: Literal["clicked", "solved"]


class DeflectionOut(Schema):
    article: int
    kind: str


@router.post("/articles/{article_id}/deflections", response={201: DeflectionOut, **errors(404)})
def deflection(request: HttpRequest, article_id: Id, payload: DeflectionIn) -> Any:
    """A merchant opened a suggested article, or it solved the problem (the draft withdrawn)."""
    row = services.deflection_record(
        user=user_of(request), article_id=article_id, kind=payload.kind
    )
    return Status(201, {"article": row.article_id, "kind": row.kind})
