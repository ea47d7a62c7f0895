"""PostgreSQL's tiers of recency (decision 0075), forced on for a small index: every search
test of test_search.py again through the windowed queries (a window short of CANDIDATES falls
through to the full search, so rare terms give the same results and tenancy holds), a phrase
answered from the newest window, the time guard cutting the full search (and saying so), and
the planner settings given back to the caller."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from helpline.reports import search
from helpline.reports.tests import test_search
from helpline.reports.tests.test_search import *  # noqa: F403 — the same tests, tiered
from helpline.reports.tests.test_search import _ids


@pytest.fixture(autouse=True)
def _tiers_on(monkeypatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the tiers of recency are PostgreSQL's (SQLite FTS5 ranks every match)")
    monkeypatch.setattr(search, "WINDOW_MIN_ID", 0)


def test_a_window_with_enough_candidates_is_the_answer(cast, monkeypatch) -> None:
    old = cast.ticket(subject="Refund stuck", description="The refund never arrived.")
    for n in range(20):
        cast.ticket(subject=f"Filler {n}", description="Nothing to see here.")
    new = cast.ticket(subject="Refund again", description="Another refund is stuck.")
    monkeypatch.setattr(search, "CANDIDATES", 1)
    # One candidate is enough: the newest matching document decides, the old one is not read.
    assert _ids(search.search_tickets(user=cast.ravi, query="refund")) == [new.pk]
    # A rare word only in the old ticket: the window is empty, the full search finds it.
    assert _ids(search.search_tickets(user=cast.ravi, query="arrived")) == [old.pk]
    # A phrase: a full page (limit 1) from the window will do.
    assert _ids(search.search_tickets(user=cast.ravi, query='"refund is"', limit=1)) == [new.pk]
    # Another merchant's user never sees them, tiers or not.
    assert search.search_tickets(user=cast.bob, query="refund").hits == []


def test_the_planner_settings_are_given_back(cast) -> None:
    cast.ticket(subject="Refund stuck", description="The refund never arrived.")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        before = cursor.fetchone()
        search.search_tickets(user=cast.ravi, query="refund")
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == before
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("0",)


def slow_full_search(monkeypatch: Any, *, timeout_ms: int = 50) -> list[str]:
    """Make the last, unbounded tier sleep 10 s inside PostgreSQL and the guard wait
    ``timeout_ms``: unless the guard cancels it, the search takes 10 s and is not partial. The
    tiers are on, their window every document (a test's few ids would leave the newest 1/16
    empty), so what a cut search returns is known. Returns the full searches it slowed."""
    real = search._pg_sql
    slowed: list[str] = []
    sleep = " AND (SELECT true FROM pg_sleep(10))"

    def sql(tsq: str, extra: str) -> str:
        if "d.id > %s" in extra:  # a window
            return real(tsq, extra)
        slowed.append(extra)
        return real(tsq, extra + sleep)

    monkeypatch.setattr(search, "_pg_sql", sql)
    monkeypatch.setattr(search, "WINDOW_MIN_ID", 0)
    monkeypatch.setattr(search, "WINDOWS", (1,))
    monkeypatch.setattr(search, "FULL_TIMEOUT_MS", timeout_ms)
    return slowed


def test_the_time_guard_cuts_the_full_search_and_says_so(cast, monkeypatch) -> None:
    old = cast.ticket(subject="Refund stuck", description="The refund never arrived.")
    new = cast.ticket(subject="Refund again", description="Another refund is stuck.")
    whole = search.search_tickets(user=cast.ravi, query="refund")
    assert not whole.partial and sorted(_ids(whole)) == sorted([old.pk, new.pk])
    slowed = slow_full_search(monkeypatch)
    with transaction.atomic(), connection.cursor() as cursor:
        cut = search.search_tickets(user=cast.ravi, query="refund")
        # The caller's transaction goes on, with its settings as they were.
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("0",)
        cursor.execute("SELECT 1")
    assert len(slowed) == 1  # the window had fewer than CANDIDATES: the full search ran
    assert cut.partial
    # The window's matches (here every document: the same tickets).
    assert sorted(_ids(cut)) == sorted([old.pk, new.pk])
    # A window answer (it has CANDIDATES) never reaches the guard: not partial.
    monkeypatch.setattr(search, "CANDIDATES", 1)
    quick = search.search_tickets(user=cast.ravi, query="refund")
    assert not quick.partial and _ids(quick) == [new.pk] and len(slowed) == 1


assert test_search  # imported so that its tests run here too
