"""Idempotency keys: a client retrying a creation gets the first answer again (decision 0086).

``request_key_claim`` and ``request_key_record`` run inside the caller's transaction, around the
creation they guard: the key row is written with the answer in the same commit as the ticket
or message, so a crash leaves neither, and a retry runs the creation again. A second request
with the same key waits on the row's unique index until the first commits, then replays it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from helpline.accounts.models import RequestKey, User
from helpline.core.errors import InvalidInput

KEEP = timedelta(hours=24)
MAX_LENGTH = 255


@dataclass(frozen=True)
class Replay:
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


def request_key_claim(*, user: User, key: str, fingerprint: str, now: datetime) -> Replay | None:
    """The answer already given to this key (None: go on, and record the answer). The same key
    with a different request is refused (422): the client reused a key by mistake. A key
    older than ``KEEP`` is forgotten."""
    key = _checked(key)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("request_key_claim runs inside the creation's transaction")
    row = RequestKey.objects.filter(user=user, key=key).first()
    if row is not None and row.created_at <= now - KEEP:
        row.delete()
        row = None
    if row is None:
        try:
            with transaction.atomic():  # a savepoint: a lost race does not spoil the caller's
                RequestKey.objects.create(
                    user=user,
                    key=key,
                    fingerprint=fingerprint,
                    status=0,
                    response="",
                    created_at=now,
                )
            return None
        except IntegrityError:
            # Another request with this key committed first (it held the index entry until
            # then): answer as it did.
            row = RequestKey.objects.filter(user=user, key=key).first()
            if row is None:  # it rolled back after all: the index entry is free again
                raise InvalidInput(
                    "a request with this Idempotency-Key failed at the same moment; send it again",
                    code="idempotency_key_retry",
                ) from None
    if row.fingerprint != fingerprint:
        raise InvalidInput(
            "this Idempotency-Key was used for a different request "
            f"(another body or endpoint) in the last {KEEP.total_seconds() / 3600:.0f} hours",
            code="idempotency_key_reused",
        )
    return Replay(status=row.status, response=row.response)


def request_key_record(*, user: User, key: str, status: int, response: str) -> None:
    """The answer (its JSON as sent) to the key claimed in this transaction."""
    RequestKey.objects.filter(user=user, key=key).update(status=status, response=response)


def request_keys_purge(*, now: datetime, limit: int = 1000) -> int:
    """Forget keys older than ``KEEP`` (the worker, each step)."""
    ids = list(
        RequestKey.objects.filter(created_at__lte=now - KEEP).values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    deleted, _ = RequestKey.objects.filter(pk__in=ids).delete()
    return deleted
