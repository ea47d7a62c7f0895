"""``core.prepared.insert`` writes exactly what ``bulk_create`` writes (decision 0080), on the
outbox's table: a JSON payload, microsecond instants, a unique idempotency key.

They live with the outbox, whose model has those columns; core imports no app. (They were in
merchants' tests, which must not import an app above merchants.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from helpline.core.prepared import insert
from helpline.outbox.models import Outbox

pytestmark = pytest.mark.django_db


def _row(obj: Any) -> dict[str, Any]:
    """The stored row, read back by the ORM, without its id."""
    stored = type(obj).objects.get(pk=obj.pk)
    fields = {f.attname: getattr(stored, f.attname) for f in stored._meta.concrete_fields}
    return {k: v for k, v in fields.items() if k != "id"}


def test_insert_writes_what_bulk_create_writes_and_sets_ids(cast: Any) -> None:
    at = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)

    def rows(tag: str) -> list[Outbox]:
        return [
            Outbox(
                channel="email",
                kind="created",
                recipient=f"{tag}{n}@acme.test",
                payload={"subject": "Ünïcode ✓", "n": n, "nested": {"list": [1, None]}},
                idempotency_key=f"{tag}-{n}",
                due_at=at + timedelta(microseconds=n),
                created_at=at,
            )
            for n in range(3)
        ]

    ours, theirs = rows("ours"), rows("theirs")
    insert(ours)
    Outbox.objects.bulk_create(theirs)
    assert all(o.pk and not o._state.adding for o in ours)
    for a, b in zip(ours, theirs, strict=True):
        mine, django = _row(a), _row(b)
        assert {k: v for k, v in mine.items() if k not in ("recipient", "idempotency_key")} == {
            k: v for k, v in django.items() if k not in ("recipient", "idempotency_key")
        }
        assert mine["payload"]["subject"] == "Ünïcode ✓"
    assert len({o.pk for o in ours + theirs}) == 6


def test_insert_ignoring_conflicts_keeps_the_first_and_raises_otherwise(cast: Any) -> None:
    at = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)

    def row(recipient: str) -> Outbox:
        return Outbox(
            channel="email",
            kind="created",
            recipient=recipient,
            payload={},
            idempotency_key="same-key",
            due_at=at,
            created_at=at,
        )

    insert([row("first@acme.test")], ignore_conflicts=True)
    insert([row("second@acme.test")], ignore_conflicts=True)
    assert list(Outbox.objects.values_list("recipient", flat=True)) == ["first@acme.test"]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert([row("third@acme.test")])
    assert Outbox.objects.count() == 1


def test_many_rows_go_in_few_compiled_blocks_with_their_ids(cast: Any) -> None:
    """A fan-out's rows (decision 0227): blocks of the engine's size, then powers of two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    at = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    rows = [
        Outbox(
            channel="email",
            kind="status",
            recipient=f"r{n}@example.test",
            payload={"n": n},
            idempotency_key=f"many-{n}",
            due_at=at,
            created_at=at,
        )
        for n in range(203)
    ]
    with CaptureQueriesContext(connection) as seen:
        insert(rows)
    assert len({o.pk for o in rows}) == 203 and all(o.pk for o in rows)
    assert [o.payload["n"] for o in Outbox.objects.order_by("pk")] == list(range(203))
    assert len(seen.captured_queries) <= 6  # 71+71+32+16+8+5 on SQLite; 1 on PostgreSQL
    again = [
        Outbox(
            channel="email",
            kind="status",
            recipient="x@example.test",
            payload={},
            idempotency_key=f"many-{n}",
            due_at=at,
            created_at=at,
        )
        for n in range(190, 215)
    ]
    insert(again, ignore_conflicts=True)  # 13 known keys ignored, 12 new written
    assert Outbox.objects.count() == 215


def test_block_sizes() -> None:
    from helpline.core.prepared import _blocks

    assert _blocks(5, 5) == [5]
    assert _blocks(203, 71) == [71, 71, 32, 16, 8, 5]
    assert _blocks(1000, 500) == [500, 500]
    assert _blocks(523, 500) == [500, 16, 7]
    assert sum(_blocks(9999, 71)) == 9999
