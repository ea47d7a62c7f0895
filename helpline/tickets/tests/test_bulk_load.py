"""``core.bulk_load`` on the event table: foreign keys checked once for a whole load
(PostgreSQL, decision 0082). Here, not in ``core``: core's tests may not import an app."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from helpline.core.bulk_load import foreign_keys_checked_once
from helpline.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db(transaction=True)

AT = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def keys() -> list[tuple[str, str, bool]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), condeferred FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = 'tickets_ticketevent'::regclass ORDER BY 1"
        )
        return cursor.fetchall()


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite checks each row's keys by index; nothing is dropped there")


def load_one_event(ticket_id: int, *, seen: list[Any]) -> None:
    with transaction.atomic(), foreign_keys_checked_once(TicketEvent):
        seen.extend(keys())
        TicketEvent.objects.create(ticket_id=ticket_id, kind="created", created_at=AT)


def test_a_row_that_breaks_a_key_fails_the_load_and_nothing_is_kept(postgresql: Any) -> None:
    before = keys()
    inside: list[Any] = []
    assert len(before) == 2  # the ticket and the actor
    with pytest.raises(IntegrityError, match="tickets_ticketevent"):
        load_one_event(987_654, seen=inside)
    assert inside == []  # dropped inside the block …
    assert keys() == before  # … and back as they were; the row is gone with the failed load
    assert not TicketEvent.objects.exists()


def test_the_keys_come_back_deferred_and_checking(postgresql: Any) -> None:
    before = keys()
    with transaction.atomic(), foreign_keys_checked_once(TicketEvent):
        pass
    assert keys() == before
    assert all(deferred for _name, _definition, deferred in before)
    with pytest.raises(IntegrityError), transaction.atomic():  # checked again, at commit
        TicketEvent.objects.create(ticket_id=987_654, kind="created", created_at=AT)


def test_outside_a_transaction_it_refuses(postgresql: Any) -> None:
    block = foreign_keys_checked_once(TicketEvent)
    with pytest.raises(RuntimeError, match="needs a transaction"):
        block.__enter__()
    assert len(keys()) == 2
