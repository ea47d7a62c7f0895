"""SQLite with a writers' queue: Django's SQLite backend, plus a lock file that lines up the
processes about to ``BEGIN IMMEDIATE``.

SQLite lets one writer in at a time; a second one sleeps in SQLite's busy handler, which
wakes after 1, 2, 5, 10 … ms whether or not the lock was freed long before — with two web
workers creating tickets, a third of the two cores sat idle at ~300 creations/s (decision
0081). Here a process takes ``flock`` on ``<database>.writers`` before ``BEGIN IMMEDIATE`` and
gives it back at ``COMMIT``/``ROLLBACK``; the next writer, polling the lock every 0.2 ms, is in
within a fraction of a millisecond of the commit.

A single write outside a transaction (an UPDATE in autocommit: the rate limiter's count, the
outbox marking a row sent) lines up too, for the one statement (decision 0193): left to
SQLite's busy handler, it lost every race against the queued writers — they get in within
0.2 ms of each commit, it wakes every 100 ms — and under a storm's stream of writes it timed
out after 5 s ("database is locked": a 500, or a sent mail not marked and sent again).

The queue is a courtesy, never a new way to fail or hang: SQLite's own lock stays the
authority, and a writer that cannot get the lock file within the busy timeout (or cannot
open it) goes on without it — SQLite then decides, as it always did. A process that dies
holding the lock gives it back with its file descriptor.
"""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from django.db.backends.sqlite3 import base

POLL_SECONDS = 0.0002
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _QueuedCursor:
    """Django's SQLite cursor, with a write outside a transaction taken through the queue."""

    def __init__(self, cursor: Any, db: DatabaseWrapper) -> None:
        self._cursor, self._db = cursor, db

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self) -> Any:
        return iter(self._cursor)

    def _alone(self, query: str) -> bool:
        db = self._db
        if db.in_atomic_block or db._writers_held or not db.get_autocommit():
            return False
        return query.lstrip()[:7].upper().startswith(WRITES)

    def execute(self, query: str, params: Any = None) -> Any:
        if not self._alone(query):
            return self._cursor.execute(query, params)
        self._db._writers_acquire()
        try:
            return self._cursor.execute(query, params)
        finally:
            self._db._writers_release()

    def executemany(self, query: str, param_list: Any) -> Any:
        if not self._alone(query):
            return self._cursor.executemany(query, param_list)
        self._db._writers_acquire()
        try:
            return self._cursor.executemany(query, param_list)
        finally:
            self._db._writers_release()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writers_fd: int | None = None
        self._writers_held = False

    def create_cursor(self, name: Any = None) -> Any:
        cursor = super().create_cursor(name)
        return cursor if self._writers_path() is None else _QueuedCursor(cursor, self)

    def _writers_path(self) -> str | None:
        name = str(self.settings_dict.get("NAME") or "")
        if not name or self.is_in_memory_db() or name.startswith("file:"):
            return None
        return f"{name}.writers"

    def _writers_acquire(self) -> None:
        path = self._writers_path()
        if path is None or self._writers_held:
            return
        try:
            if self._writers_fd is None:
                self._writers_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
            while True:
                try:
                    fcntl.flock(self._writers_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self._writers_held = True
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        return  # SQLite's own lock and busy timeout decide
                    time.sleep(POLL_SECONDS)
        except OSError:
            return  # no lock file (read-only directory …): SQLite decides alone

    def _writers_release(self) -> None:
        if self._writers_held and self._writers_fd is not None:
            self._writers_held = False
            fcntl.flock(self._writers_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._writers_acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc] # not in django-stubs
        except BaseException:
            self._writers_release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc] # not in django-stubs
        finally:
            self._writers_release()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc] # not in django-stubs
        finally:
            self._writers_release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc] # not in django-stubs
        finally:
            self._writers_release()
            if self._writers_fd is not None:
                os.close(self._writers_fd)
                self._writers_fd = None
