"""The chain: appends link, the ORM refuses changes, ``verify`` names the first broken entry
(changed, deleted in the middle, deleted at the tail), PostgreSQL's trigger refuses raw
changes, and concurrent writers on PostgreSQL make one chain."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connection, connections, transaction

from helpline.audit import chain, context
from helpline.audit.models import AppendOnly, AuditEntry, AuditHead
from helpline.conftest import T0, wait_until_a_session_waits_on_a_lock

WHO = context.Who(actor_id=7, actor_label="ada@helpline.test", ip="203.0.113.9", user_agent="t")


def _fill(n: int) -> list[AuditEntry]:
    return [
        chain.record(
            action="change",
            object_type="sla.Holiday",
            object_id=i,
            before={"name": f"old {i}"},
            after={"name": f"new {i}", "day": T0.date()},
            who=WHO,
            now=T0 + timedelta(seconds=i),
        )
        for i in range(1, n + 1)
    ]


def _raw(sql: str, params: list[Any]) -> None:
    """Change the table behind Helpline's back, as a database user could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the owner can lift the trigger; the hash stays
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


def test_entries_link_to_the_one_before_and_verify(db):
    entries = _fill(5)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (5, entries[-1].hash)
    verdict = chain.verify(batch=2)  # pages of two: the keyset paging is crossed
    assert verdict.ok and verdict.checked == 5
    stored = AuditEntry.objects.get(seq=3)
    assert stored.after == '{"day":"2026-12-07","name":"new 3"}'.replace(
        "2026-12-07", T0.date().isoformat()
    )
    assert (stored.actor_id, stored.ip, stored.user_agent) == (7, "203.0.113.9", "t")


def test_the_orm_refuses_to_change_or_delete_an_entry(db):
    entry = _fill(1)[0]
    entry.action = "nothing"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(seq=1).update(action="x")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(seq=1).action == "change"
    assert chain.verify().ok


def test_a_changed_entry_is_named(db):
    _fill(6)
    _raw("UPDATE audit_auditentry SET after = %s WHERE seq = %s", ['{"name":"forged"}', 4])
    verdict = chain.verify()
    assert (verdict.ok, verdict.broken_seq, verdict.checked) == (False, 4, 3)
    assert "changed" in str(verdict) and "#4" in str(verdict)


def test_a_changed_entry_whose_hash_was_recomputed_breaks_the_next_link(db):
    entries = _fill(6)
    forged = list(AuditEntry.objects.filter(seq=4).values_list(*chain.FIELDS[:12]).get())
    forged[10] = '{"name":"forged"}'
    new_hash = chain.link(entries[2].hash, tuple(forged))
    _raw(
        "UPDATE audit_auditentry SET before = %s, hash = %s WHERE seq = %s",
        [forged[10], new_hash, 4],
    )
    verdict = chain.verify()
    assert verdict.broken_seq == 5 and "previous hash" in verdict.reason


def test_a_deleted_entry_is_named(db):
    _fill(6)
    _raw("DELETE FROM audit_auditentry WHERE seq = %s", [3])
    verdict = chain.verify()
    assert verdict.broken_seq == 3 and "missing" in verdict.reason


def test_a_deleted_tail_is_named_from_the_head(db):
    _fill(6)
    _raw("DELETE FROM audit_auditentry WHERE seq >= %s", [5])
    verdict = chain.verify()
    assert verdict.broken_seq == 5 and "head" in verdict.reason


def test_postgresql_refuses_a_raw_update_or_delete(db):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    _fill(2)
    for sql in ("UPDATE audit_auditentry SET action = 'x'", "DELETE FROM audit_auditentry"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEntry.objects.count() == 2
    assert chain.verify().ok


def test_an_entry_rolls_back_with_the_change_it_records(db):
    _fill(2)

    def change_that_fails() -> None:
        with transaction.atomic():
            chain.record(action="change", object_type="x", who=WHO, now=T0)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert AuditHead.objects.get(pk=1).seq == 2
    assert chain.record(action="change", who=WHO, now=T0).seq == 3
    assert chain.verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgresql_make_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's (SQLite has one writer)")
    chain.record(action="start", who=WHO, now=T0)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                chain.record(action="held", who=WHO, now=T0)
                holding.set()
                assert release.wait(20)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def writer(n: int) -> None:
        try:
            for i in range(10):
                chain.record(action=f"w{n}", object_id=i, who=WHO, now=T0)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    held = threading.Thread(target=first)
    held.start()
    assert holding.wait(20)
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in writers:
        t.start()
    try:
        assert wait_until_a_session_waits_on_a_lock(release), "no writer waited on the head"
    finally:
        release.set()
        held.join(30)
        for t in writers:
            t.join(60)
    assert not errors, errors
    assert AuditEntry.objects.count() == 42
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 43))
    assert len(set(AuditEntry.objects.values_list("prev_hash", flat=True))) == 42  # no fork
    assert chain.verify().ok
