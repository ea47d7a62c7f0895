"""The merchant's open tab reads a partial index, not every closed ticket of theirs (SQLite uses
a partial index only when the query states its condition as constants)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.tickets import selectors
from helpline.tickets.models import MERCHANT_OPEN, Status

pytestmark = pytest.mark.django_db


def _plan(cast, statuses) -> str:
    filters = selectors.TicketFilters(status=tuple(statuses))
    with CaptureQueriesContext(connection) as ctx:
        selectors.ticket_list(user=cast.alice, filters=filters)
    sql = next(q["sql"] for q in ctx.captured_queries if 'FROM "tickets_ticket"' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return " ".join(str(row) for row in cursor.fetchall())


def test_the_open_tab_uses_the_partial_index(cast) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the plan is SQLite's; PostgreSQL picks its own")
    assert "ticket_merchant_open_id" in _plan(cast, MERCHANT_OPEN)
    assert "ticket_merchant_open_id" not in _plan(cast, [Status.CLOSED])


def test_the_open_tab_lists_exactly_the_open_statuses(cast) -> None:
    from helpline.tickets import services

    made = {}
    for status in Status:
        made[status.value] = services.ticket_create(
            actor=cast.alice,
            store=cast.acme_shoes,
            subject=f"a {status.value} ticket",
            description="x",
            issue_type="functionality",
        )
    from helpline.tickets.models import Ticket

    for value, ticket in made.items():
        Ticket.objects.filter(pk=ticket.pk).update(status=value)
    rows, _ = selectors.ticket_list(
        user=cast.alice, filters=selectors.TicketFilters(status=tuple(MERCHANT_OPEN))
    )
    assert sorted(t.status for t in rows) == sorted(s.value for s in MERCHANT_OPEN)
