"""SQLite with a writers' queue: Django's SQLite backend, plus a lock file that lines up the
processes about to ``BEGIN IMMEDIATE``.

SQLite lets one writer in at a time; a second one sleeps in SQLite's busy handler, which
wakes after 1, 2, 5, 10 … ms whether or not the lock was freed long before — with two web
workers creating tickets, a third of the two cores sat idle at ~300 creations/s (decision
0081). Here a process takes ``flock`` on ``<database>.writers`` before ``BEGIN IMMEDIATE`` and
gives it back at ``COMMIT``/``ROLLBACK``; the next writer, polling the lock every 0.2 ms, is in
within a fraction of a millisecond of the commit.

The queue is a courtesy, never a new way to fail or hang: SQLite's own lock stays the
authority (single writes outside a transaction skip the queue and meet SQLite's busy handler
as before), and a writer that cannot get the lock file within the busy timeout (or cannot
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


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writers_fd: int | None = None
        self._writers_held = False

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
