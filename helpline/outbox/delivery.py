"""Delivering the outbox: claim due rows, send each, mark it done the moment it is accepted.

A claim is one short transaction: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` then an
UPDATE of those rows (any number of workers share the queue and never take the same row); on
SQLite the settings open every transaction ``IMMEDIATE`` (the write lock is taken at BEGIN), so
the select and the conditional UPDATE inside it cannot interleave with another writer. A claim
sets the row ``sending`` with a lease (``claimed_until``, also its new ``due_at``) and counts an
attempt: a worker that dies leaves rows that fall due again when the lease ends, and a row
that kills every worker that tries it still reaches the dead letter.

Sending happens after the claim has committed, outside any transaction. Each row is marked
done (or rescheduled) in its own statement as soon as its provider answered, so a crash
repeats at most the one in flight. The mark of an accepted row (one round trip and a commit)
overlaps the preparation of the next send (for SMTP: the envelope, up to DATA's 354): a
helper thread runs the UPDATE on this thread's database connection while the channel talks to
its provider, and the channel waits for that commit (``ready()``) before the step where the
provider may accept the next one. So at any instant at most one accepted row is not yet marked.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Q

from helpline.core import clock, processes
from helpline.outbox import channels
from helpline.outbox.channels.base import Permanent, Unreachable
from helpline.outbox.models import Outbox, State

log = logging.getLogger(__name__)
ERROR_MAX = 2000
CLAIM_ORDER = ("priority", "due_at", "pk")  # urgent rows first (decision 0190)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: base × 2^(attempts−1), capped."""
    base = settings.NOTIFY_BACKOFF_BASE_SECONDS
    cap = settings.NOTIFY_BACKOFF_CAP_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def _due(now: datetime) -> Q:
    return Q(state__in=[State.PENDING, State.SENDING], due_at__lte=now)


def claim(*, now: datetime, worker: str, limit: int = 100) -> list[Outbox]:
    """Take up to ``limit`` due rows for ``worker``; nobody else gets them until the lease ends."""
    token = f"{worker}/{uuid.uuid4().hex[:12]}"
    lease_end = now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    with transaction.atomic():
        qs = Outbox.objects.filter(_due(now)).order_by(*CLAIM_ORDER)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Outbox.objects.filter(_due(now), pk__in=ids).update(
            state=State.SENDING,
            claimed_by=token,
            claimed_until=lease_end,
            due_at=lease_end,
            attempts=F("attempts") + 1,
        )
    return list(Outbox.objects.filter(pk__in=ids, claimed_by=token).order_by(*CLAIM_ORDER))


def release_dead_claims(*, now: datetime) -> int:
    """Rows claimed by a worker of this machine whose process is gone (SIGKILL, a crash) are
    due again at once instead of at their lease's end (a worker calls this as it starts;
    decision 0193). Of those, only the one in flight when it died can have been accepted
    already: it is sent again with its idempotency key. Another machine's claims wait for their
    lease."""
    claimers = (
        Outbox.objects.filter(state=State.SENDING).values_list("claimed_by", flat=True).distinct()
    )
    dead = [c for c in claimers if processes.dead_here(c)]
    if not dead:
        return 0
    return Outbox.objects.filter(state=State.SENDING, claimed_by__in=dead).update(
        state=State.PENDING, due_at=now, claimed_until=None
    )


def _mine(row: Outbox) -> Q:
    return Q(pk=row.pk, claimed_by=row.claimed_by, state=State.SENDING)


def mark_failed(row: Outbox, *, now: datetime, error: str, permanent: bool) -> str:
    dead = permanent or row.attempts >= settings.NOTIFY_MAX_ATTEMPTS
    Outbox.objects.filter(_mine(row)).update(
        state=State.DEAD if dead else State.PENDING,
        due_at=now if dead else now + backoff(row.attempts),
        claimed_until=None,
        last_error=error[:ERROR_MAX],
    )
    return State.DEAD if dead else State.PENDING


def release_unreachable(rows: list[Outbox], *, now: datetime, error: str) -> int:
    """The provider could not be reached: the rows not sent go back to pending, due again in
    ``NOTIFY_UNREACHABLE_RETRY_SECONDS``, their claim's attempt given back (no row failed, so
    an outage of any length sends none to the dead letter and, once it ends, the backlog is
    taken again within that interval, urgent rows first). Returns how many were released."""
    again = now + timedelta(seconds=settings.NOTIFY_UNREACHABLE_RETRY_SECONDS)
    released = 0
    for row in rows:
        released += Outbox.objects.filter(_mine(row)).update(
            state=State.PENDING,
            due_at=again,
            claimed_until=None,
            attempts=F("attempts") - 1,
            last_error=f"unreachable: {error}"[:ERROR_MAX],
        )
    return released


class _Marker:
    """Marks accepted rows done on a helper thread, over the calling thread's connection.

    ``mark_done(row)`` starts the UPDATE and returns; ``wait_for_mark()`` waits for it to have
    committed (and raises its error, then and on every later call). Between the two the calling
    thread must not use the database; it talks to the provider (``send_when_ready``).
    """

    def __init__(self) -> None:
        self.conn: Any = connections["default"]
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-mark")
        self.pending: Future[None] | None = None
        self.error: BaseException | None = None

    def __enter__(self) -> _Marker:
        self.conn.inc_thread_sharing()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self.wait_for_mark()
            elif self.pending is not None:
                self.pending.exception()  # wait; an error is already on its way out
        finally:
            self.pool.shutdown(wait=True)
            self.conn.dec_thread_sharing()

    def mark_done(self, row: Outbox, *, now: datetime) -> None:
        self.wait_for_mark()
        if self.conn.vendor == "sqlite":
            # An in-process write with no round trip to hide: a thread handoff would cost more.
            self._update(row.pk, now)
            return
        self.pending = self.pool.submit(self._update, row.pk, now)

    def _update(self, pk: int, now: datetime) -> None:
        # Accepted by the provider: done, whoever holds the claim now (it went out). Raw SQL on
        # the shared connection: the ORM would open this thread's own.
        ops = self.conn.ops
        with self.conn.cursor() as cursor:
            table = ops.quote_name(Outbox._meta.db_table)  # our own model's table name
            cursor.execute(
                f"UPDATE {table} SET state = %s, done_at = %s,"  # noqa: S608 - values are params
                " claimed_until = NULL, last_error = '' WHERE id = %s AND state <> %s",
                [State.DONE, ops.adapt_datetimefield_value(now), pk, State.DONE],
            )

    def wait_for_mark(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            try:
                pending.result()
            except BaseException as exc:
                self.error = exc
        if self.error is not None:
            raise self.error


# Conditional notifications: a payload key naming a condition (``"unless_answered": <ticket
# id>``) and the check that says the row is no longer wanted when it falls due. The apps that
# write such rows register the check (in their ``AppConfig.ready``); the outbox knows no ticket.
_conditions: dict[str, Callable[[Any], bool]] = {}


def register_condition(key: str, satisfied: Callable[[Any], bool]) -> None:
    """Rows whose payload carries ``key`` are not sent when ``satisfied(value)`` holds."""
    _conditions[key] = satisfied


def _condition(payload: Any) -> tuple[Callable[[Any], bool], Any] | None:
    if not isinstance(payload, dict):
        return None
    for key, satisfied in _conditions.items():
        value = payload.get(key)
        if value:
            return satisfied, value
    return None


def _send_all(chan: channels.Channel, rows: list[Outbox], now: datetime | None) -> Counter[str]:
    result: Counter[str] = Counter()
    with chan.session(), _Marker() as marker:
        for i, row in enumerate(rows):
            condition = _condition(row.payload)
            if condition is not None:
                marker.wait_for_mark()  # the database is this thread's again
            if condition is not None and condition[0](condition[1]):
                Outbox.objects.filter(pk=row.pk).update(
                    state=State.DONE,
                    done_at=now or clock.now(),
                    claimed_until=None,
                    last_error="not sent: the ticket was answered in time",
                )
                result["skipped"] += 1
                continue
            try:
                chan.send_when_ready(row, ready=marker.wait_for_mark)
            except Permanent as exc:
                marker.wait_for_mark()
                state = mark_failed(row, now=now or clock.now(), error=str(exc), permanent=True)
            except Unreachable as exc:
                marker.wait_for_mark()
                log.info("outbox: %s unreachable (%s)", chan.kind, exc)
                when = now or clock.now()
                result["pending"] += release_unreachable(rows[i:], now=when, error=f"{exc}")
                break
            except Exception as exc:  # any other failure: retried with backoff
                marker.wait_for_mark()  # a failed mark of the previous row ends the batch here
                log.info("outbox %s: %s", row.pk, exc)
                state = mark_failed(
                    row,
                    now=now or clock.now(),
                    error=f"{type(exc).__name__}: {exc}",
                    permanent=False,
                )
            else:
                marker.mark_done(row, now=now or clock.now())
                state = State.DONE
            result[state] += 1
    return result


def _in_thread(chan: channels.Channel, rows: list[Outbox], now: datetime | None) -> Counter[str]:
    try:
        return _send_all(chan, rows, now)
    finally:
        connection.close()  # this thread's own database connection


def deliver(rows: list[Outbox], *, now: datetime | None = None, threads: int = 1) -> Counter[str]:
    """Send claimed rows; returns how many ended done, pending (to retry) and dead.

    ``threads`` > 1 sends on that many connections at once (each thread with its own database
    connection, so only for committed rows — the worker's; not inside a test's transaction).
    Then up to ``threads`` notifications are in flight at once, and a crash may repeat each.
    """
    result: Counter[str] = Counter()
    by_channel: dict[str, list[Outbox]] = {}
    for row in rows:
        by_channel.setdefault(row.channel, []).append(row)
    for kind, batch in by_channel.items():
        try:
            chan = channels.channel(kind)
        except LookupError as exc:
            for row in batch:
                result[
                    mark_failed(row, now=now or clock.now(), error=str(exc), permanent=True)
                ] += 1
            continue
        if threads <= 1 or len(batch) < 2:
            result.update(_send_all(chan, batch, now))
            continue
        parts = [batch[i::threads] for i in range(threads) if batch[i::threads]]
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            futures = [pool.submit(_in_thread, chan, part, now) for part in parts]
            for future in futures:
                result.update(future.result())
    return result


def deliver_due(
    *, now: datetime | None = None, worker: str | None = None, limit: int = 100, threads: int = 1
) -> Counter[str]:
    """One claim and its deliveries (``step`` calls this until nothing is due)."""
    when = now or clock.now()
    rows = claim(now=when, worker=worker or worker_name(), limit=limit)
    return deliver(rows, now=now, threads=threads) if rows else Counter()


def step(
    *,
    now: datetime | None = None,
    worker: str | None = None,
    batch: int = 100,
    max_batches: int = 20,
    stop: threading.Event | None = None,
    threads: int = 1,
) -> Counter[str]:
    """The outbox's step in the worker: claims and deliveries until nothing due is left (or
    ``max_batches`` claims, so that the other steps stay on time under a backlog, or ``stop``).
    Returns how many rows ended done, pending (to retry), dead or skipped."""
    delivered: Counter[str] = Counter()
    name = worker or worker_name()
    for _ in range(max_batches):
        if stop is not None and stop.is_set():
            break
        done = deliver_due(now=now, worker=name, limit=batch, threads=threads)
        if not done:
            break
        delivered.update(done)
    return delivered
