"""The reports page (tables, chart data, exports), scoped to the signed-in person."""

from __future__ import annotations


def test_reports_page_shows_every_table_with_exports_and_chart_data(file_ticket, signed_in) -> None:
    file_ticket("alice", "Invoices wrong")
    page = signed_in("ravi").get("/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    for title in ("SLA compliance by priority", "SLA compliance by agent", "Breaches by cause"):
        assert title in html
    assert 'id="chart-data"' in html and "chart-4.6.1.umd.min.js" in html
    assert "/reports/backlog/export/?format=xlsx" in html
    merchant = signed_in("alice").get("/reports/").content.decode()
    assert "SLA compliance by agent" not in merchant


def test_reports_page_bad_dates_are_a_clear_error(file_ticket, signed_in) -> None:
    page = signed_in("ravi").get("/reports/", {"start": "2026-13-01", "end": "x"})
    assert page.status_code == 422
    assert "YYYY-MM-DD" in page.content.decode()
    long = signed_in("ravi").get("/reports/", {"start": "2020-01-01", "end": "2026-01-01"})
    assert long.status_code == 422


def test_exports_download_and_respect_scope(file_ticket, signed_in) -> None:
    file_ticket("bob", "Bolt only")
    csv = signed_in("ravi").get("/reports/backlog/export/", {"format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert b"open at end of day" in csv.content
    xlsx = signed_in("alice").get("/reports/breach-list/export/", {"format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="breach-list.xlsx"'
    assert signed_in("alice").get("/reports/compliance-agent/export/").status_code == 404
    assert signed_in("alice").get("/reports/backlog/export/", {"format": "pdf"}).status_code == 404
