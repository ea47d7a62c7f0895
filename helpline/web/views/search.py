"""Search across tickets, and the live "already reported?" panel on the new-ticket form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from helpline.accounts import access
from helpline.accounts.selectors import zone_for
from helpline.core import clock
from helpline.core.errors import HelplineError
from helpline.knowledge import selectors as knowledge
from helpline.knowledge import services as knowledge_services
from helpline.reports import lookup, search, similar
from helpline.web.common import merchant_required, user_of

SHOWN_KEY = "kb_shown"  # articles already counted as shown in this session


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    q = request.GET.get("q", "")
    found = search.Results(hits=[])
    error = ""
    status = [s for s in request.GET.getlist("status") if s]
    direct = lookup.lookup(user=user, query=q) if q.strip() else lookup.Lookup()
    if direct.ticket is not None and not status:  # "HL-61", "#61", "61": that ticket, at once
        staff = access.sees_internal(user)
        return redirect(
            "web:console-ticket" if staff else "web:support-ticket", ticket_id=direct.ticket.pk
        )
    articles = knowledge.search_articles(user=user, query=q, limit=10) if q.strip() else []
    if q.strip() and direct.by != "reference":
        try:
            found = search.search_tickets(
                user=user, query=q, filters=search.SearchFilters(status=status), limit=50
            )
        except HelplineError as exc:
            error = exc.detail
    first = {t.pk for t in direct.tickets}
    return render(
        request,
        "web/search/search.html",
        {
            "q": q,
            "direct": direct,
            "hits": [h for h in found.hits if h.ticket.pk not in first],
            "articles": articles,
            "partial": found.partial,
            "error": error,
            "status": status,
            "staff": access.sees_internal(user),
            "tz": zone_for(user),
        },
    )


def _store_id(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() and len(str(value)) < 18 else None


@merchant_required
def similar_panel(request: HttpRequest) -> HttpResponse:
    """htmx: while the merchant writes, what is likely the same problem (decision 0221): open
    incidents, their open tickets, help articles — often nothing at all."""
    user = user_of(request)
    data: Any = request.POST if request.method == "POST" else request.GET
    text = f"{data.get('subject', '')}\n{data.get('description', '')}"[: similar.TEXT_MAX]
    found = similar.suggestions_for_draft(
        user=user,
        text=text,
        store_id=_store_id(data.get("store")),
        issue_type=(data.get("issue_type") or None),
        already_shown=request.session.get(SHOWN_KEY, []),
    )
    if found.newly_shown:  # counted once a session for the deflection report
        knowledge_services.deflections_shown(
            user=user, article_ids=found.newly_shown, now=clock.now()
        )
        request.session[SHOWN_KEY] = [*request.session.get(SHOWN_KEY, []), *found.newly_shown][
            -200:
        ]
    return render(
        request,
        "web/search/_similar.html",
        {
            "suggestions": found.tickets,
            "incidents": found.incidents,
            "articles": found.articles,
            "tz": zone_for(user),
        },
    )
