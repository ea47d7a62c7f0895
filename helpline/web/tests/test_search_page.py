"""The search page and the live "already reported?" panel, scoped to the signed-in person."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection

from helpline.core import clock
from helpline.reports.tests.test_search_tiers import slow_full_search


def test_search_page_marks_matches_and_stays_in_tenant(cast, signed_in) -> None:
    mine = cast.ticket(
        subject="Shipping labels misprinted",
        description="details",
        at=clock.now() - timedelta(days=1),
    )
    cast.ticket(
        who="bob",
        subject="Shipping labels blank",
        description="details",
        at=clock.now() - timedelta(days=1),
    )
    html = signed_in("alice").get("/search/", {"q": "labels"}).content.decode()
    assert mine.reference in html and "<mark>" in html
    assert "blank" not in html
    staff = signed_in("ravi").get("/search/", {"q": "labels"}).content.decode()
    assert "2 tickets found" in staff and f"/console/t/{mine.pk}/" in staff
    odd = signed_in("alice").get("/search/", {"q": '""'}).content.decode()
    assert "type at least one word" in odd


NOTICE = "Showing the newest matches only; refine the search."


def test_search_page_says_when_the_results_were_cut(cast, signed_in, monkeypatch) -> None:
    mine = cast.ticket(
        subject="Shipping labels misprinted",
        description="details",
        at=clock.now() - timedelta(days=1),
    )
    whole = signed_in("ravi").get("/search/", {"q": "labels"}).content.decode()
    assert mine.reference in whole and NOTICE not in whole
    if connection.vendor != "postgresql":
        return  # the time guard is PostgreSQL's
    slowed = slow_full_search(monkeypatch)
    cut = signed_in("ravi").get("/search/", {"q": "labels"}).content.decode()
    assert len(slowed) == 1 and NOTICE in cut and mine.reference in cut


def test_live_panel_suggests_the_merchants_own_open_tickets(cast, signed_in) -> None:
    mine = cast.ticket(
        subject="Coupon code rejected",
        description="DIWALI20 says invalid",
        at=clock.now() - timedelta(days=1),
    )
    cast.ticket(
        who="bob",
        subject="Coupon code rejected",
        description="details",
        at=clock.now() - timedelta(days=1),
    )
    draft = {"subject": "coupon not working", "description": "the code is rejected"}
    html = signed_in("alice").post("/support/new/similar/", draft).content.decode()
    assert "Has this already been reported?" in html and mine.reference in html
    bob = signed_in("bob").post("/support/new/similar/", {"subject": "pixelated photos"})
    assert "already been reported" not in bob.content.decode()
    assert signed_in("alice").post("/support/new/similar/", {}).content.strip() == b""
    new_page = signed_in("alice").get("/support/new/").content.decode()
    assert 'hx-post="/support/new/similar/"' in new_page
