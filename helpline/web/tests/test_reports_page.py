"""The reports page (tables, chart data, exports), scoped to the signed-in person."""

from __future__ import annotations

from datetime import timedelta

from helpline.core import clock


def test_reports_page_shows_every_table_with_exports_and_chart_data(cast, signed_in) -> None:
    cast.ticket(subject="Invoices wrong", description="details", at=clock.now() - timedelta(days=1))
    page = signed_in("ravi").get("/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    for title in ("SLA compliance by priority", "SLA compliance by agent", "Breaches by cause"):
        assert title in html
    assert 'id="chart-data"' in html and "chart-4.6.1.umd.min.js" in html
    assert "/reports/backlog/export/?format=xlsx" in html
    merchant = signed_in("alice").get("/reports/").content.decode()
    assert "SLA compliance by agent" not in merchant


def test_reports_page_bad_dates_are_a_clear_error(cast, signed_in) -> None:
    page = signed_in("ravi").get("/reports/", {"start": "2026-13-01", "end": "x"})
    assert page.status_code == 422
    assert "YYYY-MM-DD" in page.content.decode()
    long = signed_in("ravi").get("/reports/", {"start": "2020-01-01", "end": "2026-01-01"})
    assert long.status_code == 422


def test_exports_download_and_respect_scope(cast, signed_in) -> None:
    cast.ticket(
        who="bob", subject="Bolt only", description="details", at=clock.now() - timedelta(days=1)
    )
    csv = signed_in("ravi").get("/reports/backlog/export/", {"format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert b"open at end of day" in csv.content
    xlsx = signed_in("alice").get("/reports/breach-list/export/", {"format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="breach-list.xlsx"'
    assert signed_in("alice").get("/reports/compliance-agent/export/").status_code == 404
    assert signed_in("alice").get("/reports/backlog/export/", {"format": "pdf"}).status_code == 404
