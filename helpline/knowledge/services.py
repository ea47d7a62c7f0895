"""Every write of the knowledge base (decision 0220): keyword-only, ``now`` passed in, checks
before writes, one transaction each. Only staff write articles; merchants only record what they
did with a suggestion (``deflection_record``)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core import clock
from helpline.core.errors import Forbidden, InvalidInput, NotFound
from helpline.core.validation import has_control
from helpline.knowledge import render
from helpline.knowledge.models import (
    Article,
    ArticleStatus,
    Category,
    Deflection,
    DeflectionKind,
    Visibility,
)
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.models import MessageKind, Status

TITLE_MAX = 200
BODY_MAX = 100_000
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
EDITABLE = ("title", "body", "visibility", "status", "review_by", "language", "slug")


def _staff(actor: User | None) -> User:
    if not access.is_staff(actor):
        raise Forbidden("only staff write articles", code="forbidden")
    assert actor is not None  # noqa: S101 - is_staff checked it
    return actor


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """The article's fields checked: a clear error for each bad one, never a traceback."""
    out = dict(fields)
    if "title" in out:
        title = str(out["title"] or "").strip()
        if not title or len(title) > TITLE_MAX or has_control(title):
            raise InvalidInput(f"title: 1–{TITLE_MAX} characters, no control characters")
        out["title"] = title
    if "body" in out:
        body = str(out["body"] or "")
        if len(body) > BODY_MAX or "\x00" in body:
            raise InvalidInput(f"body: at most {BODY_MAX} characters, no NUL")
        out["body"] = body
    if "visibility" in out and out["visibility"] not in Visibility.values:
        raise InvalidInput(f"visibility: one of {', '.join(Visibility.values)}")
    if "status" in out and out["status"] not in ArticleStatus.values:
        raise InvalidInput(f"status: one of {', '.join(ArticleStatus.values)}")
    if "language" in out and not LANGUAGE.match(str(out["language"] or "")):
        raise InvalidInput("language: a language code such as en or hi")
    if (
        "review_by" in out
        and out["review_by"] is not None
        and not isinstance(out["review_by"], date)
    ):
        raise InvalidInput("review_by: a date")
    if "slug" in out:
        slug = slugify(str(out["slug"] or ""))[:80]
        if not slug:
            raise InvalidInput("slug: letters, digits and hyphens")
        out["slug"] = slug
    return out


def category_create(
    *, actor: User | None, name: str, slug: str = "", position: int = 100
) -> Category:
    _staff(actor)
    name = (name or "").strip()
    if not name or len(name) > 120 or has_control(name):
        raise InvalidInput("name: 1–120 characters")
    slug = slugify(slug or name)[:60]
    if not slug:
        raise InvalidInput("slug: letters, digits and hyphens")
    if Category.objects.filter(slug=slug).exists():
        raise InvalidInput(f"a category {slug!r} already exists", code="duplicate")
    return Category.objects.create(name=name, slug=slug, position=position)


@transaction.atomic
def article_create(
    *,
    actor: User | None,
    category: Category,
    title: str,
    body: str,
    language: str = "en",
    visibility: str = Visibility.PUBLIC,
    status: str = ArticleStatus.DRAFT,
    review_by: date | None = None,
    slug: str = "",
    source_ticket_id: int | None = None,
    now: datetime | None = None,
) -> Article:
    author = _staff(actor)
    now = now or clock.now()
    fields = _clean(
        {
            "title": title,
            "body": body,
            "language": language,
            "visibility": visibility,
            "status": status,
            "review_by": review_by,
            "slug": slug or title,
        }
    )
    if Article.objects.filter(
        category=category, slug=fields["slug"], language=fields["language"]
    ).exists():
        raise InvalidInput(
            f"{category.slug}/{fields['slug']} already has a {fields['language']} version",
            code="duplicate",
        )
    return Article.objects.create(
        category=category,
        body_html=render.to_html(fields["body"]),
        source_ticket_id=source_ticket_id,
        author=author,
        created_at=now,
        updated_at=now,
        published_at=now if fields["status"] == ArticleStatus.PUBLISHED else None,
        **fields,
    )


@transaction.atomic
def article_update(
    *, actor: User | None, article: Article, now: datetime | None = None, **changes: Any
) -> Article:
    _staff(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}")
    fields = _clean(changes)
    now = now or clock.now()
    for name, value in fields.items():
        setattr(article, name, value)
    if "body" in fields:
        article.body_html = render.to_html(article.body)
    if fields.get("status") == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = now
    article.updated_at = now
    article.save()
    return article


@transaction.atomic
def article_from_ticket(
    *, actor: User | None, ticket_id: int, category: Category, now: datetime | None = None
) -> Article:
    """Staff's one click on a resolved ticket: a draft article whose title is the ticket's
    subject and whose body is the problem as the merchant told it and the resolution note."""
    staff = _staff(actor)
    ticket = ticket_selectors.ticket_get(user=staff, ticket_id=ticket_id)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise InvalidInput(
            "only a resolved or closed ticket becomes an article", code="not_resolved"
        )
    notes = [
        m.body
        for m in ticket_selectors.ticket_messages(user=staff, ticket=ticket)
        if m.kind in (MessageKind.RESOLUTION, MessageKind.WORKAROUND)
    ]
    body = "\n\n".join(
        [
            "## The problem",
            ticket.description.strip() or ticket.subject,
            "## What solved it",
            notes[-1].strip() if notes else "(write the fix here)",
        ]
    )
    slug = slugify(ticket.subject)[:60] or f"ticket-{ticket.pk}"
    taken = Article.objects.filter(category=category, slug__startswith=slug).count()
    return article_create(
        actor=staff,
        category=category,
        title=ticket.subject,
        body=body,
        visibility=Visibility.MERCHANTS,
        slug=f"{slug}-{taken + 1}" if taken else slug,
        source_ticket_id=ticket.pk,
        now=now,
    )


def deflection_record(
    *, user: User | None, article_id: int, kind: str, now: datetime | None = None
) -> Deflection:
    """A merchant saw, opened or was helped by a suggested article ("this solved it")."""
    from helpline.knowledge import selectors

    if kind not in DeflectionKind.values:
        raise InvalidInput(f"kind: one of {', '.join(DeflectionKind.values)}")
    article = selectors.article_for(user=user, article_id=article_id)
    if article is None:
        raise NotFound("not found")
    return Deflection.objects.create(article=article, kind=kind, user=user, at=now or clock.now())


def deflections_shown(*, user: User | None, article_ids: list[int], now: datetime) -> None:
    """One "shown" row per article suggested (the suggestions are already scoped to ``user``)."""
    Deflection.objects.bulk_create(
        [
            Deflection(article_id=a, kind=DeflectionKind.SHOWN, user=user, at=now)
            for a in article_ids
        ]
    )
