"""The audit trail's two tables: the entries (append-only, each hashing the one before) and the
chain's head (one row: the last entry's number and hash, locked by every append)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AppendOnly(Exception):
    """An attempt to change or delete an audit entry through the ORM."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnly("audit entries are append-only: they are never changed or deleted")


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    """Reads and inserts; ``update`` and ``delete`` refuse (a guard, not behaviour)."""

    update = _refuse
    delete = _refuse
    _raw_delete = _refuse


class AuditEntry(models.Model):
    """One thing that happened: ``seq`` is its place in the chain (1, 2, 3 … without gaps),
    ``hash`` = SHA-256 of the previous entry's hash and this entry's canonical JSON
    (``audit.chain.canonical``). ``before``/``after`` hold canonical JSON text, exactly as it
    was hashed, so that verifying never depends on how an engine stores JSON."""

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=60, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    subject_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, help_text="The person this entry is about"
    )
    ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    before = models.TextField(default="{}")
    after = models.TextField(default="{}")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ("-seq",)
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} {self.object_id}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class AuditHead(models.Model):
    """The chain's head: one row (id 1). Every append locks it (``FOR UPDATE``), so concurrent
    writers line up and the chain never forks; ``verify`` checks the last entry against it (a
    deleted tail is seen)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
