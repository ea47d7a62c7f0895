"""Reports: the tables the reports page shows, as JSON, CSV or XLSX."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import In, errors
from helpline.core import clock
from helpline.core.errors import InvalidInput
from helpline.reports import export
from helpline.reports import selectors as reports

router = Router(tags=["reports"], auth=AUTH)


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
    return reports.available(user_of(request))


@router.get("/reports/{name}", response={200: TableOut, **errors(404)})
def get_report(request: HttpRequest, name: str, query: Query[ReportQuery]) -> Any:
    user = user_of(request)
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
