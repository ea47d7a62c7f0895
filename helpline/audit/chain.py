"""Appending to the chain and checking it.

Each entry's hash is SHA-256 over the previous entry's hash followed by the entry's canonical
JSON (``canonical``: a JSON array of its fields in a fixed order, UTC instants to the
microsecond, compact separators, UTF-8). An append locks the chain's head row (``FOR UPDATE`` on
PostgreSQL; SQLite has one writer at a time) inside the caller's transaction: the entry commits
with the change it records, or neither does, and two writers never both extend the same hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Q

from helpline.audit import context
from helpline.audit.models import AuditEntry, AuditHead
from helpline.core import clock

GENESIS = "0" * 64
FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "subject_id",
    "ip",
    "user_agent",
    "before",
    "after",
    "prev_hash",
    "hash",
)


def jsonable(value: Any) -> Any:
    """A value as JSON can hold it, the same on every engine: instants in UTC ISO 8601, decimals
    and ids as text, bytes by their length."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return str(value)


def dumps(value: Mapping[str, Any] | None) -> str:
    return json.dumps(
        jsonable(value or {}), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def micros(at: datetime | str) -> int:
    """An instant as whole microseconds since 1970 UTC — what the hash covers, the same
    whether the engine hands back a datetime (PostgreSQL) or its text (SQLite: naive UTC)."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return (at - (_EPOCH if at.tzinfo else _EPOCH_NAIVE)) // _MICROSECOND


def canonical(row: tuple[Any, ...]) -> bytes:
    """The bytes hashed for one entry: a JSON array of its fields ``FIELDS[:-2]`` in that
    order, ``at`` as microseconds since 1970 UTC, compact, UTF-8 (``row`` holds them as read
    from the table)."""
    return _ENCODER.encode([row[0], micros(row[1]), *row[2:]]).encode()


def link(prev_hash: str, row: tuple[Any, ...]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(row)).hexdigest()


def _lock_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a flushed table (tests); the migration writes the row
        AuditHead.objects.bulk_create([AuditHead(pk=1, seq=0, hash=GENESIS)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def record(
    *,
    action: str,
    object_type: str = "",
    object_id: object = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    subject_id: int | None = None,
    actor: Any = None,
    who: context.Who | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one entry (in the caller's transaction, if any). ``actor`` or ``who`` name who
    acted; by default the request's user, address and browser (``audit.context``)."""
    who = who or context.current(actor)
    at = (now or clock.now()).astimezone(UTC)
    with transaction.atomic():
        head = _lock_head()
        fields: tuple[Any, ...] = (
            head.seq + 1,
            at,
            who.actor_id,
            who.actor_label[:254],
            action[:40],
            object_type[:60],
            str(object_id)[:64],
            subject_id,
            who.ip[:45],
            who.user_agent[:512],
            dumps(before),
            dumps(after),
        )
        digest = link(head.hash, fields)
        entry = AuditEntry(**dict(zip(FIELDS, (*fields, head.hash, digest), strict=True)))
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=digest)
    return entry


@dataclass(frozen=True)
class Verdict:
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.checked} entries"
        return f"audit chain broken at entry #{self.broken_seq}: {self.reason}"


def _rows(batch: int) -> Iterator[tuple[Any, ...]]:
    """Every entry in chain order, a keyset page at a time (no long-held cursor), as the
    database driver hands them over: no model instances, no per-field converters (a million
    rows through the ORM's ``values_list`` cost more than hashing them; decision 0182)."""
    quote = connection.ops.quote_name
    # SQLite: ``at`` as its stored text, past Django's converter for "datetime" columns (a
    # regex per row); ``micros`` parses it with ``fromisoformat``. PostgreSQL's driver hands
    # back a datetime, converted in C.
    as_text = "CAST({} AS TEXT)" if connection.vendor == "sqlite" else "{}"
    columns = ", ".join(as_text.format(quote(f)) if f == "at" else quote(f) for f in FIELDS)
    table, seq = quote(AuditEntry._meta.db_table), quote("seq")
    # Names from the model, values bound.
    sql = f"SELECT {columns} FROM {table} WHERE {seq} > %s ORDER BY {seq} LIMIT %s"  # noqa: S608
    after = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [after, batch])
            page = cursor.fetchall()
            yield from page
            if len(page) < batch:
                return
            after = page[-1][0]


def verify(*, batch: int = 20000) -> Verdict:
    """Check every link; the first entry that does not hold is named: its content changed (its
    hash is not its content's), an entry before it is gone (a gap in ``seq``, or a previous hash
    that is not the one before's), or the tail is gone (the head names a later entry)."""
    expected_seq, prev = 1, GENESIS
    checked = 0
    for row in _rows(batch):
        seq = row[0]
        if seq != expected_seq:
            return Verdict(checked, expected_seq, f"missing (the next entry present is #{seq})")
        if row[12] != prev:
            return Verdict(checked, seq, "its previous hash is not the hash of the entry before")
        if link(prev, row[:12]) != row[13]:
            return Verdict(checked, seq, "its content does not match its hash (changed)")
        prev, expected_seq, checked = row[13], seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq >= expected_seq:
        return Verdict(checked, expected_seq, f"missing: the chain's head is #{head.seq}")
    if head is not None and head.seq and head.hash != prev:
        return Verdict(checked, head.seq, "the chain's head does not hold this entry's hash")
    return Verdict(checked)


def entries_about(person_id: int) -> list[dict[str, Any]]:
    """Every entry by or about a person (a personal-data export)."""
    rows = AuditEntry.objects.filter(Q(subject_id=person_id) | Q(actor_id=person_id))
    return [
        {
            "seq": e.seq,
            "at": e.at,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "by": e.actor_label,
            "ip": e.ip,
            "user_agent": e.user_agent,
            "before": json.loads(e.before),
            "after": json.loads(e.after),
        }
        for e in rows.order_by("seq")
    ]
