"""Reports (tables, charts, CSV/XLSX), search, and the live "already reported?" panel.

Every figure comes from ``reports.selectors`` scoped to the signed-in person (staff see all,
account managers their stores, merchants their own); views only parse, call and render.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from helpline.accounts import access
from helpline.core import clock
from helpline.core.errors import HelplineError
from helpline.reports import export, search, similar
from helpline.reports import selectors as reports
from helpline.tickets import incidents
from helpline.web.common import merchant_required, refused, staff_required, ticket_or_404, user_of
from helpline.web.present import zone_for

DEFAULT_DAYS = 90
CHARTS = ("compliance-month", "backlog", "compliance-priority")


def _period(request: HttpRequest) -> tuple[reports.Period | None, str, str, str]:
    """The period asked for (default: the last 90 days in the viewer's zone), or an error."""
    zone = zone_for(user_of(request))
    today = clock.now().astimezone(zone).date()
    raw_start = request.GET.get("start") or (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    raw_end = request.GET.get("end") or today.isoformat()
    try:
        period = reports.Period.of(
            start=date.fromisoformat(raw_start), end=date.fromisoformat(raw_end), zone=str(zone)
        )
    except ValueError:
        return None, raw_start, raw_end, "dates are written YYYY-MM-DD"
    except HelplineError as exc:
        return None, raw_start, raw_end, exc.detail
    return period, raw_start, raw_end, ""


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    period, start, end, error = _period(request)
    tables: list[reports.Table] = []
    if period is not None:
        now = clock.now()
        tables = [
            reports.report(user=user, name=name, period=period, now=now)
            for name in reports.available(user)
        ]
    charts = {t.name: {"columns": t.columns, "rows": t.rows} for t in tables if t.name in CHARTS}
    return render(
        request,
        "web/insight/reports.html",
        {
            "tables": tables,
            "charts": charts,
            "start": start,
            "end": end,
            "error": error,
            "tz": zone_for(user),
        },
        status=422 if error else 200,
    )


@login_required
def report_export(request: HttpRequest, name: str) -> HttpResponse:
    user = user_of(request)
    fmt = request.GET.get("format", "csv")
    if name not in reports.available(user) or fmt not in ("csv", "xlsx"):
        raise Http404("no such report")
    period, _, _, error = _period(request)
    if period is None:
        return HttpResponse(error, status=422, content_type="text/plain; charset=utf-8")
    table = reports.report(user=user, name=name, period=period, now=clock.now())
    content, content_type, filename = export.export(table, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    q = request.GET.get("q", "")
    found = search.Results(hits=[])
    error = ""
    status = [s for s in request.GET.getlist("status") if s]
    if q.strip():
        try:
            found = search.search_tickets(
                user=user, query=q, filters=search.SearchFilters(status=status), limit=50
            )
        except HelplineError as exc:
            error = exc.detail
    return render(
        request,
        "web/insight/search.html",
        {
            "q": q,
            "hits": found.hits,
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
        "web/insight/_similar.html",
        {"suggestions": suggestions, "incidents": similar.open_incidents(user=user)},
    )


INCIDENT_OPS = ("link", "unlink", "update", "resolve", "merge")


def _ticket_number(raw: str) -> int | None:
    raw = raw.strip().upper().removeprefix("HL-")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


@staff_required
@require_POST
def incident_action(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Console: link to / unlink from a master, update or resolve a master, merge a duplicate."""
    user = user_of(request)
    ticket = ticket_or_404(request, ticket_id)
    op = request.POST.get("op", "")
    other_id = _ticket_number(request.POST.get("other", ""))
    text = request.POST.get("text", "")
    if op not in INCIDENT_OPS or (op in ("link", "merge") and other_id is None):
        messages.error(request, "Name a ticket (HL-123) and an action.")
        return redirect("web:console-ticket", ticket_id=ticket.pk)
    try:
        if op == "link":
            master = ticket_or_404(request, other_id or 0)
            incidents.ticket_link(actor=user, ticket=ticket, master=master)
        elif op == "unlink":
            incidents.ticket_unlink(actor=user, ticket=ticket)
        elif op == "update":
            n = incidents.master_update(actor=user, master=ticket, body=text)
            messages.success(request, f"Posted here and on {n} linked ticket(s).")
        elif op == "resolve":
            n = incidents.master_resolve(actor=user, master=ticket, message=text)
            messages.success(request, f"Resolved with {n} linked ticket(s).")
        else:
            duplicate = ticket_or_404(request, other_id or 0)
            incidents.tickets_merge(actor=user, survivor=ticket, duplicates=[duplicate])
            messages.success(request, f"{duplicate.reference} merged into {ticket.reference}.")
    except HelplineError as exc:
        if (response := refused(request, exc)) is not None:
            return response
    return redirect("web:console-ticket", ticket_id=ticket.pk)
