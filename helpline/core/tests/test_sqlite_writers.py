"""The SQLite writers' queue (core/sqlite, decision 0081): a lock file taken before
BEGIN IMMEDIATE and given back at COMMIT or ROLLBACK; never a new way to fail or hang."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections, transaction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the queue is SQLite's"),
]


def held(path: str) -> bool:
    """Is the queue's lock taken (by any connection)? Asked from a descriptor of our own."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.fixture
def path() -> str:
    return f"{connection.settings_dict['NAME']}.writers"


@pytest.fixture
def other() -> Iterator[Any]:
    """A second connection to the same database, as another process would have."""
    conn = connections.create_connection("default")
    yield conn
    conn.close()


def test_a_transaction_holds_the_queue_until_commit_or_rollback(path: str) -> None:
    assert not held(path)
    with transaction.atomic():
        connection.cursor().execute("SELECT 1")
        assert held(path)
        with transaction.atomic():  # a savepoint: still the one writer
            assert held(path)
        assert held(path)
    assert not held(path)
    seen: list[bool] = []

    def fail_inside() -> None:
        with transaction.atomic():
            seen.append(held(path))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fail_inside()
    assert seen == [True] and not held(path)


def test_the_next_writer_gets_in_after_the_commit(path: str, other: Any) -> None:
    from django.contrib.contenttypes.models import ContentType

    with transaction.atomic():
        ContentType.objects.get_or_create(app_label="queue", model="first")
        # Another connection cannot take the queue while this one writes …
        fd = os.open(path, os.O_RDWR)
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)
    # … and takes it at once after the commit, and sees the committed row.
    other.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert held(path)
    cursor = other.cursor()
    cursor.execute("SELECT model FROM django_content_type WHERE app_label = 'queue'")
    assert cursor.fetchall() == [("first",)]
    other.commit()
    other.set_autocommit(True)
    assert not held(path)


def test_a_queue_that_stays_taken_is_waited_for_only_up_to_the_timeout(
    path: str, other: Any
) -> None:
    # Someone holds the lock file but not SQLite's lock (a stuck process of another kind):
    # the writer goes on after its timeout; SQLite's own lock decides.
    blocker = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(blocker, fcntl.LOCK_EX)
    try:
        other.settings_dict["OPTIONS"] = {**other.settings_dict["OPTIONS"], "timeout": 0}
        other.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        cursor = other.cursor()
        cursor.execute("CREATE TABLE queue_probe (x integer)")
        other.commit()
        other.set_autocommit(True)
        assert not other._writers_held
    finally:
        fcntl.flock(blocker, fcntl.LOCK_UN)
        os.close(blocker)
        with connection.cursor() as c:
            c.execute("DROP TABLE IF EXISTS queue_probe")


def test_closing_a_connection_gives_the_queue_back(path: str, other: Any) -> None:
    other.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert held(path)
    other.close()  # a process that dies does the same: its descriptor goes
    assert not held(path)


def test_a_single_write_outside_a_transaction_waits_in_the_queue(path: str, other: Any) -> None:
    """An autocommit UPDATE lines up behind the queued writers instead of racing them in
    SQLite's busy handler (decision 0193): it holds the queue for its one statement."""
    seen: list[bool] = []
    cursor = other.cursor()
    real = cursor.cursor._cursor  # Django's wrapper → the queue's cursor → SQLite's
    execute = real.execute

    def spy(query: str, params: Any = None) -> Any:
        seen.append(held(path))
        return execute(query, params)

    real.execute = spy
    cursor.execute("CREATE TABLE IF NOT EXISTS queue_single (x integer)")
    cursor.execute("INSERT INTO queue_single (x) VALUES (1)")
    cursor.execute("SELECT x FROM queue_single")
    assert cursor.fetchall() == [(1,)]
    cursor.execute("DROP TABLE queue_single")
    assert seen == [False, True, False, False]  # only the INSERT: DDL and reads go as before
    assert not held(path)
