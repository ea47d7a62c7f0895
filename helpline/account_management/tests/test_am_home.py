"""The account manager's home: the open tickets of the stores they manage, the breached ones
among the breaches, each with its current clocks (read once for the page)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.account_management import selectors as am_selectors
from helpline.conftest import T0, Cast
from helpline.tickets import services, sweeps

pytestmark = pytest.mark.django_db
# What the merchants file here (each ticket's store, subject, priority and instant: the test's).
BROKEN: dict[str, Any] = {"description": "It fails.", "issue_type": "feature-broken"}


def test_home_lists_managed_open_tickets_and_the_breached_ones(cast: Cast) -> None:
    late = cast.ticket(subject="Checkout down", **BROKEN, priority="C1")  # 2 h, day and night
    fresh = cast.ticket(subject="A typo", **BROKEN, priority="C4", at=T0 + timedelta(minutes=170))
    cast.ticket(store=cast.acme_outlet, subject="Not Maya's store", **BROKEN, priority="C1")
    cast.ticket(who="bob", subject="Another merchant", **BROKEN, priority="C1")
    closed = cast.ticket(subject="Sorted", **BROKEN, priority="C3", at=T0 + timedelta(minutes=5))
    services.ticket_resolve(
        actor=cast.ravi,
        ticket=closed,
        message="Done.",
        now=T0 + timedelta(minutes=6),
    )
    now = T0 + timedelta(hours=3)
    sweeps.clocks_sweep(now=now)

    with CaptureQueriesContext(connection) as ctx:
        home = am_selectors.am_home(user=cast.maya, now=now)
    assert {t.pk for t in home.open_tickets} == {late.pk, fresh.pk}
    assert [t.pk for t in home.breaches] == [late.pk]
    by_pk: dict[int, Any] = {t.pk: t for t in home.open_tickets}  # current_clocks: set on load
    assert {c.kind for c in by_pk[late.pk].current_clocks} == {"first_response", "resolution"}
    assert any(c.breached_at for c in by_pk[late.pk].current_clocks)
    assert not any(c.breached_at for c in by_pk[fresh.pk].current_clocks)
    queries = len(ctx.captured_queries)

    # More tickets cost no more queries: the clocks of all of them are one read.
    for n in range(5):
        cast.ticket(subject=f"More {n}", **BROKEN, priority="C2", at=T0 + timedelta(minutes=10 + n))
    with CaptureQueriesContext(connection) as ctx:
        home = am_selectors.am_home(user=cast.maya, now=now)
    assert len(home.open_tickets) == 7
    assert len(ctx.captured_queries) == queries
