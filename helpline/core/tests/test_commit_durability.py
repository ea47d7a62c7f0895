"""On both engines a commit is on disk before it returns (issue 18, decision 0148): the live
connection's settings, as Helpline opens it."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_connection_waits_for_the_disk_at_every_commit() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL (NORMAL, 1, lost commits to a power cut)
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
        else:
            # Anything but "off" waits for the local disk (remote_* for a standby too). The
            # rate limiter alone turns it off, for its own counters (decision 0125).
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] in {"on", "local", "remote_write", "remote_apply"}
            cursor.execute("SHOW fsync")
            assert cursor.fetchone()[0] == "on"
