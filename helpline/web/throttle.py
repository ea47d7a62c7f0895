"""Slowing down repeated failed sign-ins (docs/decisions/0005-login-throttle.md).

Counted per (e-mail, client address) in the database, so every web process sees the same count.
The first ``FREE_FAILURES`` failures cost nothing; each further one locks that pair out for a
doubling time (``BASE_LOCK`` … ``MAX_LOCK``). While locked, the password is not even checked.
A success clears the counter. Counters idle for ``FORGET_AFTER`` start again from zero.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F

from helpline.core import clock
from helpline.web.models import LoginThrottle

FREE_FAILURES = 5
BASE_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(hours=1)
FORGET_AFTER = timedelta(days=1)


def throttle_key(email: str, address: str) -> str:
    return hashlib.sha256(f"{email.strip().lower()}|{address}".encode()).hexdigest()


def locked_for(key: str, *, now: datetime | None = None) -> timedelta | None:
    """How long this pair must still wait, or None."""
    now = now or clock.now()
    until = (
        LoginThrottle.objects.filter(key=key, locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )
    return until - now if until is not None else None


def lock_length(failures: int) -> timedelta | None:
    if failures < FREE_FAILURES:
        return None
    return min(BASE_LOCK * 2 ** (failures - FREE_FAILURES), MAX_LOCK)


def record_failure(key: str, *, now: datetime | None = None) -> timedelta | None:
    """Count one failure; the lock it earns (None while free)."""
    now = now or clock.now()
    with transaction.atomic():
        row, created = LoginThrottle.objects.select_for_update().get_or_create(
            key=key, defaults={"failures": 1, "last_failure_at": now}
        )
        if not created:
            if now - row.last_failure_at > FORGET_AFTER:
                row.failures = 1
            else:
                row.failures = F("failures") + 1
            row.last_failure_at = now
            row.save(update_fields=["failures", "last_failure_at"])
            row.refresh_from_db(fields=["failures"])
        lock = lock_length(row.failures)
        row.locked_until = now + lock if lock else None
        row.save(update_fields=["locked_until"])
    return lock


def record_success(key: str) -> None:
    LoginThrottle.objects.filter(key=key).delete()
