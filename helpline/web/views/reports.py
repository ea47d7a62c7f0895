"""Reports: tables, charts, CSV/XLSX downloads.

Every figure comes from ``reports.selectors`` scoped to the signed-in person (staff see all,
account managers their stores, merchants their own); views only parse, call and render.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from helpline.accounts.selectors import zone_for
from helpline.core import clock
from helpline.core.errors import HelplineError
from helpline.reports import export
from helpline.reports import selectors as reports
from helpline.web.common import user_of

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
        "web/reports/reports.html",
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
