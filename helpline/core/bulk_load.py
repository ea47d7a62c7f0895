"""Bulk loading on PostgreSQL: foreign keys checked once for the whole load, not once a row.

Django declares its foreign keys ``DEFERRABLE INITIALLY DEFERRED``, so PostgreSQL queues one
check per row and key and runs them all at commit — a query each. For the 100,000 demo tickets
(3,000,000 rows, ~6,000,000 checks) that is ~16 s of one core after the last row is in.
PostgreSQL's own advice for populating a database is to drop the foreign keys and add them
again afterwards: adding one validates every row in one join. ``foreign_keys_checked_once``
does that inside the caller's transaction, so no other session ever sees a table without its
keys (``ALTER TABLE`` holds an exclusive lock on the tables and the tables they reference until
commit), and a row that breaks a key fails the whole load, which rolls back (decision 0082).
On SQLite it does nothing: its checks are index look-ups at a few microseconds a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Model


@contextmanager
def foreign_keys_checked_once(*models: type[Model]) -> Iterator[None]:
    """Inside the block, rows written to these models' tables are not checked against their
    foreign keys; when the block ends, each key is added back and checks every row at once."""
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("foreign_keys_checked_once needs a transaction (transaction.atomic)")
    quote = connection.ops.quote_name
    # A savepoint: if the block fails, rolling back to it puts the keys back as they were.
    with transaction.atomic(), connection.cursor() as cursor:
        # Checks already queued in this transaction run now: PostgreSQL refuses to alter a
        # table with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])"
            " ORDER BY 1, 2",
            [[m._meta.db_table for m in models]],
        )
        keys = cursor.fetchall()
        # regclass prints the table name quoted where it needs quotes.
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        yield
        for table, name, definition in keys:  # definition: pg_get_constraintdef's own text
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
