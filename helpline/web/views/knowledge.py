"""The knowledge base's pages (decision 0220): public article pages at /help/<category>/<slug>/,
a suggested article opened or "this solved it" from the new-ticket form, and the staff page
(overdue reviews, the deflection report, an article drafted from a resolved ticket)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.accounts.models import User
from helpline.accounts.selectors import zone_for
from helpline.core import clock
from helpline.core.errors import HelplineError
from helpline.knowledge import selectors, services
from helpline.knowledge.models import DeflectionKind
from helpline.web.common import merchant_required, public, refused, staff_required, user_of


def _reader(request: HttpRequest) -> User | None:
    return user_of(request) if request.user.is_authenticated else None


@public
def article_page(request: HttpRequest, category: str, slug: str) -> HttpResponse:
    """Public articles for everyone, merchant-only ones for signed-in merchants and staff;
    anything else (a draft, another's) is a 404 exactly like an unknown address."""
    language = (request.GET.get("lang") or "en")[:10]
    article = selectors.article_get(
        user=_reader(request),
        category=category,
        slug=slug,
        language=language,
    )
    if article is None:
        raise Http404("not found")
    return render(
        request,
        "web/knowledge/article.html",
        {
            "article": article,
            "languages": selectors.languages_of(article, user=_reader(request)),
        },
    )


def _article_url(article: object) -> str:
    return reverse(
        "web:article",
        kwargs={"category": article.category.slug, "slug": article.slug},  # type: ignore[attr-defined]
    )


@merchant_required
def suggestion_open(request: HttpRequest, article_id: int) -> HttpResponse:
    """A suggested article opened from the new-ticket form: counted, then shown."""
    try:
        deflection = services.deflection_record(
            user=user_of(request), article_id=article_id, kind=DeflectionKind.CLICKED
        )
    except HelplineError as exc:
        raise Http404("not found") from exc
    return redirect(_article_url(deflection.article))


@merchant_required
@require_POST
def suggestion_solved(request: HttpRequest, article_id: int) -> HttpResponse:
    """ "This solved it": the draft is withdrawn (never sent) and the article credited."""
    try:
        services.deflection_record(
            user=user_of(request), article_id=article_id, kind=DeflectionKind.SOLVED
        )
    except HelplineError as exc:
        if (response := refused(request, exc)) is not None:
            return response
        return redirect("web:support-new")
    messages.success(request, _("Glad that solved it. Your draft was withdrawn; nothing was sent."))
    return redirect("web:support")


@staff_required
def knowledge_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    today = clock.now().astimezone(zone_for(user)).date()  # the reader's day, not UTC's
    return render(
        request,
        "web/knowledge/console.html",
        {
            "overdue": selectors.overdue_reviews(user=user, today=today),
            "report": selectors.deflection_report(user=user),
            "categories": selectors.category_list(),
        },
    )


@staff_required
@require_POST
def draft_from_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """One click on a resolved ticket: a draft article, opened in the admin to finish."""
    category = selectors.category_by_id(request.POST.get("category"))
    try:
        if category is None:
            raise HelplineError("create a category first", code="no_category")
        article = services.article_from_ticket(
            actor=user_of(request), ticket_id=ticket_id, category=category
        )
    except HelplineError as exc:
        if (response := refused(request, exc)) is not None:
            return response
        return redirect("web:console-ticket", ticket_id=ticket_id)
    messages.success(request, f"Draft article “{article.title}” created; finish and publish it.")
    return redirect("admin:knowledge_article_change", article.pk)
