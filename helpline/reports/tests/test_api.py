"""The reports, search and master-incident API: search, reports with CSV/XLSX exports, similar
tickets, incidents."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from openpyxl import load_workbook

from helpline.conftest import Api
from helpline.reports.tests.test_search_tiers import slow_full_search


def test_search_endpoint_scopes_and_marks(cast) -> None:
    mine = cast.ticket(subject="Refunds stuck", description="refund never arrives")
    cast.ticket(who="bob", subject="Refund problem", description="details")
    res = cast.api("alice").get("search", q="refund")
    assert res.status_code == 200
    assert [h["id"] for h in res.json_body["hits"]] == [mine.pk]
    assert "<mark>" in res.json_body["hits"][0]["snippet"]
    assert res.json_body["partial"] is False
    assert len(cast.api("ravi").get("search", q="refund").json_body["hits"]) == 2
    bad = cast.api("alice").get("search", q="   ")
    assert bad.status_code == 422 and bad.json_body["code"] == "query_empty"
    assert Api(None).get("search", q="x").status_code == 401


def test_search_endpoint_says_when_the_time_guard_cut_it(cast, monkeypatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the time guard is PostgreSQL's (SQLite FTS5 ranks every match)")
    mine = cast.ticket(subject="Refunds stuck", description="refund never arrives")
    slowed = slow_full_search(monkeypatch)
    res = cast.api("ravi").get("search", q="refund")
    assert res.status_code == 200 and len(slowed) == 1
    assert res.json_body["partial"] is True
    assert [h["id"] for h in res.json_body["hits"]] == [mine.pk]


def test_reports_as_json_csv_and_xlsx(cast) -> None:
    cast.ticket(subject='=HYPERLINK("http://evil")', description="details")
    api = cast.api("ravi")
    names = api.get("reports").json_body
    assert "compliance-agent" in names
    assert "compliance-agent" not in cast.api("alice").get("reports").json_body
    params = {"start": "2026-11-01", "end": "2026-11-30"}
    res = api.get("reports/backlog", **params)
    assert res.status_code == 200 and res.json_body["columns"][0] == "day"
    csv = api.get("reports/breach-list", **params, format="csv")
    assert csv["Content-Type"].startswith("text/csv")
    xlsx = api.get("reports/backlog", **params, format="xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=1).value == "day"
    assert sheet.cell(row=3, column=1).value == "2026-11-01"
    assert api.get("reports/compliance-agent", **params).status_code == 200
    refused = cast.api("alice").get("reports/compliance-agent", **params)
    assert refused.status_code == 422
    assert api.get("reports/nope", **params).status_code == 422
    long = api.get("reports/backlog", start="2020-01-01", end="2026-01-01")
    assert long.status_code == 422 and long.json_body["code"] == "period_too_long"


def test_exports_never_carry_a_live_formula(cast) -> None:
    from helpline.reports.export import to_csv, to_xlsx
    from helpline.reports.selectors import Table

    table = Table(name="t", title="T", columns=["subject"], rows=[["=1+1"], ["@SUM(A1)"]])
    assert b"'=1+1" in to_csv(table)
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet.cell(row=3, column=1).value == "'=1+1"


def test_similar_tickets_endpoint(cast) -> None:
    mine = cast.ticket(
        subject="Checkout payment failing", description="customers cannot pay at checkout"
    )
    cast.ticket(who="bob", subject="Checkout payment failing", description="details")
    res = cast.api("alice").post("similar-tickets", {"text": "payment fails at checkout"})
    assert res.status_code == 200
    assert [t["id"] for t in res.json_body["tickets"]] == [mine.pk]
    assert res.json_body["incidents"] == []
    from helpline.monitoring import services as monitoring

    monitoring.incident_open(title="Payments degraded")
    res = cast.api("alice").post("similar-tickets", {"text": "payment fails at checkout"})
    assert [i["title"] for i in res.json_body["incidents"]] == ["Payments degraded"]


def test_incident_endpoints(cast) -> None:
    master = cast.ticket(subject="Gateway outage", description="details", store=cast.acme_outlet)
    child = cast.ticket(who="bob", subject="Cannot take payments", description="details")
    api = cast.api("ravi")
    assert api.post(f"tickets/{child.pk}/link", {"master": master.pk}).status_code == 200
    assert (
        cast.api("bob").post(f"tickets/{child.pk}/link", {"master": master.pk}).status_code == 404
    )
    res = api.post(f"tickets/{master.pk}/incident-update", {"body": "Investigating"})
    assert res.json_body == {"linked": 1}
    res = api.post(f"tickets/{master.pk}/incident-resolve", {"body": "Fixed"})
    assert res.json_body == {"linked": 1}
    assert api.get(f"tickets/{child.pk}").json_body["status"] == "resolved"
    a, b = (
        cast.ticket(subject="Dup one", description="details"),
        cast.ticket(subject="Dup two", description="details"),
    )
    merged = api.post(f"tickets/{a.pk}/merge", {"duplicates": [b.pk], "reason": "same"})
    assert merged.status_code == 200
    assert api.get(f"tickets/{b.pk}").json_body["status"] == "closed"
