"""PostgreSQL's tiers of recency (decision 0075), forced on for a small index: every search
test of test_search.py again through the windowed queries (a window short of CANDIDATES falls
through to the full search, so rare terms give the same results and tenancy holds), a phrase
answered from the newest window, and the planner settings given back to the caller."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from helpline.reports import search
from helpline.reports.tests import test_search
from helpline.reports.tests.test_search import *  # noqa: F403 — the same tests, tiered
from helpline.reports.tests.test_search import _ids, _ticket


@pytest.fixture(autouse=True)
def _tiers_on(monkeypatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the tiers of recency are PostgreSQL's (SQLite FTS5 ranks every match)")
    monkeypatch.setattr(search, "WINDOW_MIN_ID", 0)


def test_a_window_with_enough_candidates_is_the_answer(cast, monkeypatch) -> None:
    old = _ticket(cast, "Refund stuck", "The refund never arrived.")
    for n in range(20):
        _ticket(cast, f"Filler {n}", "Nothing to see here.")
    new = _ticket(cast, "Refund again", "Another refund is stuck.")
    monkeypatch.setattr(search, "CANDIDATES", 1)
    # One candidate is enough: the newest matching document decides, the old one is not read.
    assert _ids(search.search_tickets(user=cast.ravi, query="refund")) == [new.pk]
    # A rare word only in the old ticket: the window is empty, the full search finds it.
    assert _ids(search.search_tickets(user=cast.ravi, query="arrived")) == [old.pk]
    # A phrase: a full page (limit 1) from the window will do.
    assert _ids(search.search_tickets(user=cast.ravi, query='"refund is"', limit=1)) == [new.pk]
    # Another merchant's user never sees them, tiers or not.
    assert search.search_tickets(user=cast.bob, query="refund") == []


def test_the_planner_settings_are_given_back(cast) -> None:
    _ticket(cast, "Refund stuck", "The refund never arrived.")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        before = cursor.fetchone()
        search.search_tickets(user=cast.ravi, query="refund")
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == before
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("0",)


assert test_search  # imported so that its tests run here too
