"""Rate limits: fixed windows counted in the database, so every web process on every machine sees
the same count (decisions 0125 and 0126).

A limit is a name, a number of requests and a window length. ``hit`` counts one request of one
caller (a token, a person, an address, a sender domain — hashed, never stored as typed) with a
single upsert that returns the new count, and says whether it was within the limit and, if not,
how many seconds until the window turns. ``peek`` reads a count without adding to it (the
sign-in counts only failures, but refuses before checking the password). Old windows are
deleted by ``purge``, which the worker runs. ``settings.RATE_LIMITS`` ({name: number}) changes
a limit's number (the API fuzzing test raises the API's).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from helpline.core import clock
from helpline.core.errors import HelplineError
from helpline.core.models import RateCount


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{allowance(self)} per {self.seconds} s"


# The limits chosen (decision 0126). A person at a keyboard never meets them; a script does.
API_TOKEN = Limit("api.token", 600, 60)  # one API token (or one signed-in person on the API)
API_ADDRESS = Limit("api.address", 1200, 60)  # one client address, all tokens and none
WEB_ADDRESS = Limit("web.address", 1200, 60)  # one client address on the pages
LOGIN_ADDRESS = Limit("login.address", 10, 600)  # failed sign-ins from one address, any account
LOGIN_ACCOUNT = Limit("login.account", 20, 3600)  # failed sign-ins of one account, any address
RESET_ADDRESS = Limit("reset.address", 10, 3600)  # password-reset requests from one address
RESET_ACCOUNT = Limit("reset.account", 3, 3600)  # password-reset mails to one address
MAIL_DOMAIN = Limit("mail.domain", 120, 3600)  # tickets opened by mail from one sender domain
STATUS_ADDRESS = Limit("status.address", 10, 3600)  # status subscriptions asked from one address


class RateLimited(HelplineError):
    status = 429
    code = "rate_limited"

    def __init__(self, limit: Limit, retry_after: int) -> None:
        super().__init__(
            f"too many requests ({limit}); try again in {retry_after} s",
            retry_after=retry_after,
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window turns (0 while allowed)


def _key(limit: Limit, who: str) -> str:
    digest = hashlib.sha256(who.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()
    return f"{limit.name}:{digest[:48]}"


def _slot(limit: Limit, now: datetime) -> tuple[int, datetime]:
    slot = math.floor(now.timestamp()) // limit.seconds
    return slot, datetime.fromtimestamp((slot + 1) * limit.seconds, tz=UTC)


def allowance(limit: Limit) -> int:
    """The limit's number, unless ``settings.RATE_LIMITS`` sets another for its name."""
    return int(getattr(settings, "RATE_LIMITS", {}).get(limit.name, limit.count))


def _verdict(limit: Limit, count: int, ends: datetime, now: datetime) -> Verdict:
    if count <= allowance(limit):
        return Verdict(True, count, 0)
    return Verdict(False, count, max(1, math.ceil((ends - now).total_seconds())))


# One statement on both engines (SQLite ≥ 3.35 and PostgreSQL): insert or add, and read back.
_UPSERT = (
    'INSERT INTO core_ratecount ("key", "slot", "count", "expires_at") VALUES {rows} '
    'ON CONFLICT ("key", "slot") DO UPDATE SET "count" = core_ratecount."count" + excluded."count" '
    'RETURNING "key", "count"'
)


def hit_many(
    callers: Sequence[tuple[Limit, str]], *, now: datetime | None = None, cost: int = 1
) -> list[Verdict]:
    """Count one request against several (limit, caller) pairs in one statement; the verdicts
    in the same order."""
    now = now or clock.now()
    keys: list[str] = []
    ends: list[datetime] = []
    params: list[Any] = []
    for limit, who in callers:
        slot, end = _slot(limit, now)
        keys.append(_key(limit, who))
        ends.append(end)
        params += [keys[-1], slot, cost, connection.ops.adapt_datetimefield_value(end)]
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(keys))
    # On PostgreSQL a count on its own is committed without waiting for the disk: a crash may
    # forget the last instant's counts, never anything else (decision 0125). Inside a caller's
    # transaction the caller's commit decides, unchanged.
    alone = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic() if alone else nullcontext(), connection.cursor() as cursor:
        if alone:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(_UPSERT.format(rows=rows), params)
        counts = {key: int(count) for key, count in cursor.fetchall()}
    return [
        _verdict(limit, counts[key], end, now)
        for (limit, _who), key, end in zip(callers, keys, ends, strict=True)
    ]


def hit(limit: Limit, who: str, *, now: datetime | None = None, cost: int = 1) -> Verdict:
    """Count ``cost`` requests of ``who`` against ``limit``; the verdict on the new count."""
    return hit_many([(limit, who)], now=now, cost=cost)[0]


def peek(limit: Limit, who: str, *, now: datetime | None = None) -> Verdict:
    """The verdict on the next request of ``who``, without counting one."""
    now = now or clock.now()
    slot, ends = _slot(limit, now)
    count = (
        RateCount.objects.filter(key=_key(limit, who), slot=slot)
        .values_list("count", flat=True)
        .first()
    )
    return _verdict(limit, (count or 0) + 1, ends, now)


def check(limit: Limit, who: str, *, now: datetime | None = None) -> None:
    """``hit``, raising ``RateLimited`` over the limit."""
    verdict = hit(limit, who, now=now)
    if not verdict.allowed:
        raise RateLimited(limit, verdict.retry_after)


def purge(*, now: datetime, grace: timedelta = timedelta(minutes=1)) -> int:
    """Delete the windows that have ended; how many rows went."""
    deleted, _ = RateCount.objects.filter(expires_at__lt=now - grace).delete()
    return deleted
