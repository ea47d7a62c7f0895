"""Search across tickets, and the live "already reported?" panel on the new-ticket form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from helpline.accounts import access
from helpline.accounts.selectors import zone_for
from helpline.core.errors import HelplineError
from helpline.reports import lookup, search, similar
from helpline.web.common import merchant_required, user_of


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
            "partial": found.partial,
            "error": error,
            "status": status,
            "staff": access.sees_internal(user),
            "tz": zone_for(user),
        },
    )


@merchant_required
def similar_panel(request: HttpRequest) -> HttpResponse:
    """htmx: while the merchant writes, open incidents and their similar open tickets."""
    user = user_of(request)
    data: Any = request.POST if request.method == "POST" else request.GET
    text = f"{data.get('subject', '')}\n{data.get('description', '')}"[: similar.TEXT_MAX]
    suggestions = similar.similar_open_tickets(user=user, text=text) if text.strip() else []
    return render(
        request,
        "web/search/_similar.html",
        {"suggestions": suggestions, "incidents": similar.open_incidents(user=user)},
    )
