"""The reports page (tables, chart data, exports), the search page and the live
"already reported?" panel, each scoped to the signed-in person."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection

from helpline.core import clock
from helpline.reports.tests.test_search_tiers import slow_full_search
from helpline.tickets import services


def _file(cast, who, subject, description="details"):
    return services.ticket_create(
        actor=getattr(cast, who),
        store=cast.bolt_gadgets if who == "bob" else cast.acme_shoes,
        subject=subject,
        description=description,
        issue_type="functionality",
        now=clock.now() - timedelta(days=1),
    )


def test_reports_page_shows_every_table_with_exports_and_chart_data(cast, signed_in) -> None:
    _file(cast, "alice", "Invoices wrong")
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
    _file(cast, "bob", "Bolt only")
    csv = signed_in("ravi").get("/reports/backlog/export/", {"format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert b"open at end of day" in csv.content
    xlsx = signed_in("alice").get("/reports/breach-list/export/", {"format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="breach-list.xlsx"'
    assert signed_in("alice").get("/reports/compliance-agent/export/").status_code == 404
    assert signed_in("alice").get("/reports/backlog/export/", {"format": "pdf"}).status_code == 404


def test_search_page_marks_matches_and_stays_in_tenant(cast, signed_in) -> None:
    mine = _file(cast, "alice", "Shipping labels misprinted")
    _file(cast, "bob", "Shipping labels blank")
    html = signed_in("alice").get("/search/", {"q": "labels"}).content.decode()
    assert mine.reference in html and "<mark>" in html
    assert "blank" not in html
    staff = signed_in("ravi").get("/search/", {"q": "labels"}).content.decode()
    assert "2 tickets found" in staff and f"/console/t/{mine.pk}/" in staff
    odd = signed_in("alice").get("/search/", {"q": '""'}).content.decode()
    assert "type at least one word" in odd


NOTICE = "Showing the newest matches only; refine the search."


def test_search_page_says_when_the_results_were_cut(cast, signed_in, monkeypatch) -> None:
    mine = _file(cast, "alice", "Shipping labels misprinted")
    whole = signed_in("ravi").get("/search/", {"q": "labels"}).content.decode()
    assert mine.reference in whole and NOTICE not in whole
    if connection.vendor != "postgresql":
        return  # the time guard is PostgreSQL's
    slowed = slow_full_search(monkeypatch)
    cut = signed_in("ravi").get("/search/", {"q": "labels"}).content.decode()
    assert len(slowed) == 1 and NOTICE in cut and mine.reference in cut


def test_live_panel_suggests_the_merchants_own_open_tickets(cast, signed_in) -> None:
    mine = _file(cast, "alice", "Coupon code rejected", "DIWALI20 says invalid")
    _file(cast, "bob", "Coupon code rejected")
    draft = {"subject": "coupon not working", "description": "the code is rejected"}
    html = signed_in("alice").post("/support/new/similar/", draft).content.decode()
    assert "Has this already been reported?" in html and mine.reference in html
    bob = signed_in("bob").post("/support/new/similar/", {"subject": "pixelated photos"})
    assert "already been reported" not in bob.content.decode()
    assert signed_in("alice").post("/support/new/similar/", {}).content.strip() == b""
    new_page = signed_in("alice").get("/support/new/").content.decode()
    assert 'hx-post="/support/new/similar/"' in new_page


def test_console_links_updates_and_merges(cast, signed_in) -> None:
    from helpline.tickets.models import Ticket, TicketMessage

    master = _file(cast, "alice", "Gateway outage")
    child = _file(cast, "bob", "Payments down")
    agent = signed_in("ravi")
    page = agent.get(f"/console/t/{child.pk}/").content.decode()
    assert 'id="incident-form"' in page
    url = f"/console/t/{child.pk}/incident/"
    assert agent.post(url, {"op": "link", "other": master.reference}).status_code == 302
    assert Ticket.objects.get(pk=child.pk).master_id == master.pk
    agent.post(f"/console/t/{master.pk}/incident/", {"op": "update", "text": "Vendor working"})
    assert TicketMessage.objects.filter(ticket=child, body="Vendor working").exists()
    dup = _file(cast, "alice", "Gateway again")
    agent.post(f"/console/t/{master.pk}/incident/", {"op": "merge", "other": str(dup.pk)})
    assert Ticket.objects.get(pk=dup.pk).status == "closed"
    # Bad input: a message on the page, nothing changed; merchants get 404.
    bad = agent.post(url, {"op": "link", "other": "not a ticket"}, follow=True)
    assert "Name a ticket" in bad.content.decode()
    assert signed_in("bob").post(url, {"op": "unlink"}).status_code == 404
    assert Ticket.objects.get(pk=child.pk).master_id == master.pk
