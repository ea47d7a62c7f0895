"""Bulk loads and the search index (PostgreSQL): documents written a batch at a time.

The index is kept by row triggers (migrations 0001 and 0003). During a bulk load on
PostgreSQL each row's trigger runs a PL/pgSQL function and an INSERT of its own — for the
100,000 demo tickets, 600,000 of them. ``bulk_load`` switches the ticket and message triggers
off for the load and ``BulkIndex.add_tickets`` writes the same documents for a range of tickets
with one INSERT … SELECT each (decision 0082). The triggers are switched back on before the
block ends, inside the caller's transaction: ``ALTER TABLE`` holds an exclusive lock on both
tables until commit, so no other session writes a row while they are off. Attachments keep
their trigger (a bulk load writes none). On SQLite nothing changes: FTS5's triggers are cheap.

The documents are the triggers' (``reports_search_ticket``, ``reports_search_message``): one per
ticket (id × 4, subject and description, public) and one per message (id × 4 + 1, its body,
internal as the message is). ``tickets.tests.test_demo`` checks that the two agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

TRIGGERS = (
    ("tickets_ticket", "reports_search_ticket"),
    ("tickets_ticketmessage", "reports_search_message"),
)

TICKET_DOCUMENTS = """
    INSERT INTO reports_search (id, ticket_id, merchant_id, internal, subject, body)
    SELECT id * 4, id, merchant_id, false, subject, description FROM tickets_ticket
    WHERE id BETWEEN %s AND %s
"""
MESSAGE_DOCUMENTS = """
    INSERT INTO reports_search (id, ticket_id, merchant_id, internal, subject, body)
    SELECT m.id * 4 + 1, m.ticket_id, t.merchant_id, m.internal, '', m.body
    FROM tickets_ticketmessage m JOIN tickets_ticket t ON t.id = m.ticket_id
    WHERE m.ticket_id BETWEEN %s AND %s
"""


class BulkIndex:
    """Writes the documents of tickets loaded with their triggers off."""

    def __init__(self, active: bool) -> None:
        self.active = active

    def add_tickets(self, first_id: int, last_id: int) -> None:
        """Index tickets ``first_id`` … ``last_id`` and their messages (written already)."""
        if not self.active:
            return
        with connection.cursor() as cursor:
            cursor.execute(TICKET_DOCUMENTS, [first_id, last_id])
            cursor.execute(MESSAGE_DOCUMENTS, [first_id, last_id])


@contextmanager
def bulk_load() -> Iterator[BulkIndex]:
    """Within a transaction: the ticket and message triggers off (PostgreSQL); the caller
    indexes what it writes with ``add_tickets``."""
    if connection.vendor != "postgresql":
        yield BulkIndex(active=False)
        return
    if not connection.in_atomic_block:
        raise RuntimeError("search_index.bulk_load needs a transaction (transaction.atomic)")
    # A savepoint: if the block fails, rolling back to it switches the triggers on again.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, trigger in TRIGGERS:  # our own constants
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        yield BulkIndex(active=True)
        for table, trigger in TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
