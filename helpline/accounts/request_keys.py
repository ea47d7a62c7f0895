"""Idempotency keys: a client retrying a creation gets the first answer again (decision 0086).

``request_key_run`` claims the key, runs the creation and records its answer in one
transaction: the key row is written with the answer in the same commit as the ticket or
message, so a crash leaves neither, and a retry runs the creation again. A second request with
the same key waits on the row's unique index until the first commits, then replays it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from helpline.accounts.models import RequestKey, User
from helpline.core.errors import InvalidInput

KEEP = timedelta(hours=24)
MAX_LENGTH = 255


@dataclass(frozen=True)
class Replay:
    """An answer as sent: its status and its JSON."""

    status: int
    response: str


def fingerprint(*, method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _checked(key: str) -> str:
    if not key or len(key) > MAX_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        raise InvalidInput(
            f"Idempotency-Key: 1 to {MAX_LENGTH} visible ASCII characters, no spaces",
            code="invalid_idempotency_key",
        )
    return key


def _sql(connection: Any) -> tuple[str, str]:
    """The claim (an insert that yields the new id, or nothing when the key is taken) and the
    answer's update: raw SQL, one statement each, on the hot path of a keyed creation (the ORM
    would need a read, a savepoint, the insert and a release to survive a taken key)."""
    qn = connection.ops.quote_name
    table = qn(RequestKey._meta.db_table)
    user, key = qn("user_id"), qn("key")
    claim = (
        f"INSERT INTO {table} ({user}, {key}, {qn('fingerprint')}, {qn('status')}, "  # noqa: S608 - names quoted, values are params
        f"{qn('response')}, {qn('created_at')}) VALUES (%s, %s, %s, 0, '', %s) "
        f"ON CONFLICT ({user}, {key}) DO NOTHING RETURNING {qn('id')}"
    )
    record = (
        f"UPDATE {table} SET {qn('status')} = %s, {qn('response')} = %s "  # noqa: S608 - names quoted, values are params
        f"WHERE {user} = %s AND {key} = %s"
    )
    return claim, record


def request_key_run(
    *, user: User, key: str, fingerprint: str, now: datetime, run: Callable[[], Replay]
) -> tuple[Replay, bool]:
    """The answer to this key and whether it is a replay: the one already given to the same
    request, or ``run()``'s (the creation, and its answer as sent), recorded in the same
    transaction. The same key with a different request is refused (422): the client reused a
    key by mistake. A key older than ``KEEP`` is forgotten. Whatever ``run`` raises rolls the
    claim back with the rest: a failed request is not remembered."""
    key = _checked(key)
    with transaction.atomic():
        replay = _claim(user=user, key=key, fingerprint=fingerprint, now=now)
        if replay is not None:
            return replay, True
        answer = run()
        _record(user=user, key=key, answer=answer)
    return answer, False


def _claim(*, user: User, key: str, fingerprint: str, now: datetime) -> Replay | None:
    connection = transaction.get_connection()
    claim, _ = _sql(connection)
    created = connection.ops.adapt_datetimefield_value(now)
    for _attempt in range(2):
        # Taken by a request still running: PostgreSQL waits here until it commits or rolls
        # back (SQLite has one writer: it has finished). Then the row is read as committed.
        with connection.cursor() as cursor:
            cursor.execute(claim, [user.pk, key, fingerprint, created])
            if cursor.fetchone() is not None:
                return None
        row = RequestKey.objects.filter(user=user, key=key).first()
        if row is None or row.created_at <= now - KEEP:
            if row is not None:
                row.delete()  # expired: the key is free again
            continue
        if row.fingerprint != fingerprint:
            raise InvalidInput(
                "this Idempotency-Key was used for a different request "
                f"(another body or endpoint) in the last {KEEP.total_seconds() / 3600:.0f} hours",
                code="idempotency_key_reused",
            )
        return Replay(status=row.status, response=row.response)
    raise InvalidInput(
        "a request with this Idempotency-Key changed at the same moment; send it again",
        code="idempotency_key_retry",
    )


def _record(*, user: User, key: str, answer: Replay) -> None:
    connection = transaction.get_connection()
    _, record = _sql(connection)
    with connection.cursor() as cursor:
        cursor.execute(record, [answer.status, answer.response, user.pk, key])


def request_keys_purge(*, now: datetime, limit: int = 1000) -> int:
    """Forget keys older than ``KEEP`` (the worker, each step)."""
    ids = list(
        RequestKey.objects.filter(created_at__lte=now - KEEP).values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    deleted, _ = RequestKey.objects.filter(pk__in=ids).delete()
    return deleted
