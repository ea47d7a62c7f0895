"""Every read of the knowledge base (decision 0220), scoped by who reads.

Published public articles are for everyone (signed in or not); merchant-only ones for signed-in
merchant users and staff; drafts for staff only. An article one may not read is answered as if
it did not exist (None → 404).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet

from helpline.accounts import access
from helpline.accounts.models import Role, User
from helpline.core import wording
from helpline.knowledge.models import (
    Article,
    ArticleStatus,
    Category,
    DeflectionKind,
    Visibility,
)


def _scope(user: User | None) -> Q:
    if access.is_staff(user):
        return Q()
    published = Q(status=ArticleStatus.PUBLISHED)
    if access.is_active(user) and user is not None and user.role == Role.MERCHANT:
        return published
    return published & Q(visibility=Visibility.PUBLIC)


def visible_articles(user: User | None) -> QuerySet[Article]:
    return Article.objects.filter(_scope(user)).select_related("category")


def categories(user: User | None) -> list[tuple[Category, list[Article]]]:
    """The categories with the articles ``user`` may read, in order (two queries)."""
    by_category: dict[int, list[Article]] = {}
    for article in visible_articles(user).filter(language="en").order_by("title"):
        by_category.setdefault(article.category_id, []).append(article)
    return [(c, by_category[c.pk]) for c in Category.objects.all() if c.pk in by_category]


def article_get(
    *, user: User | None, category: str, slug: str, language: str = "en"
) -> Article | None:
    return (
        visible_articles(user).filter(category__slug=category, slug=slug, language=language).first()
    )


def article_for(*, user: User | None, article_id: int) -> Article | None:
    return visible_articles(user).filter(pk=article_id).first()


def languages_of(article: Article, *, user: User | None) -> list[str]:
    """The languages of the article's versions ``user`` may read (a merchant-only version is
    not offered to a reader who would get a 404 for it)."""
    return sorted(
        visible_articles(user)
        .filter(category_id=article.category_id, slug=article.slug, status=ArticleStatus.PUBLISHED)
        .values_list("language", flat=True)
    )


def overdue_reviews(*, user: User | None, today: date) -> list[Article]:
    """Published articles whose review-by date has come (staff only; others get none)."""
    if not access.is_staff(user):
        return []
    return list(
        Article.objects.filter(status=ArticleStatus.PUBLISHED, review_by__lte=today)
        .select_related("category")
        .order_by("review_by", "pk")
    )


def search_articles(*, user: User | None, query: str, limit: int = 10) -> list[Article]:
    """Articles matching all of the words of ``query``: PostgreSQL full-text (websearch syntax,
    ranked), elsewhere every word in the title or body (newest first)."""
    query = (query or "").strip()[:500]
    if not query:
        return []
    articles = visible_articles(user)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A", config="english") + SearchVector(
            "body", weight="B", config="english"
        )
        q = SearchQuery(query, search_type="websearch", config="english")
        return list(
            articles.annotate(document=vector, rank=SearchRank(vector, q))
            .filter(document=q)
            .order_by("-rank", "-pk")[:limit]
        )
    words = [w for w in wording.WORD.findall(query.lower()) if len(w) > 1][:8]
    for word in words:
        articles = articles.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return list(articles.order_by("-updated_at", "-pk")[:limit]) if words else []


@dataclass(frozen=True)
class Indexed:
    id: int
    visibility: str
    language: str
    terms: frozenset[str]


_index_lock = threading.Lock()
_index: tuple[tuple[int, object], list[Indexed]] | None = None


def suggestion_index() -> list[Indexed]:
    """The published articles' terms (``core.wording``), built once per process and rebuilt
    when an article is added or changed (one cheap aggregate query decides)."""
    global _index
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    stamp = published.aggregate(n=Count("pk"), at=Max("updated_at"))
    key = (stamp["n"], stamp["at"])
    current = _index
    if current is not None and current[0] == key:
        return current[1]
    with _index_lock:
        rows = [
            Indexed(
                id=pk,
                visibility=visibility,
                language=language,
                terms=wording.terms(f"{title}\n{title}\n{body[:1500]}"),
            )
            for pk, visibility, language, title, body in published.values_list(
                "pk", "visibility", "language", "title", "body"
            ).iterator(chunk_size=500)
        ]
        _index = (key, rows)
    return rows


def deflection_report(*, user: User | None) -> list[dict[str, object]]:
    """Per article: suggested (shown), opened (clicked), "this solved it" (solved). Staff only."""
    if not access.is_staff(user):
        return []
    rows = (
        Article.objects.annotate(
            shown=Count("deflections", filter=Q(deflections__kind=DeflectionKind.SHOWN)),
            clicked=Count("deflections", filter=Q(deflections__kind=DeflectionKind.CLICKED)),
            solved=Count("deflections", filter=Q(deflections__kind=DeflectionKind.SOLVED)),
        )
        .filter(Q(shown__gt=0) | Q(clicked__gt=0) | Q(solved__gt=0))
        .select_related("category")
        .order_by("-solved", "-clicked", "-shown", "pk")
    )
    return [
        {
            "article": a,
            "shown": a.shown,
            "clicked": a.clicked,
            "solved": a.solved,
            "solved_rate": (a.solved / a.shown) if a.shown else None,
        }
        for a in rows
    ]


def category_list() -> list[Category]:
    return list(Category.objects.all())


def category_by_id(category_id: object) -> Category | None:
    """The category of that id, else the first one (None when there is none)."""
    raw = str(category_id or "")
    found = (
        Category.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 18 else None
    )
    return found or Category.objects.order_by("position", "pk").first()
