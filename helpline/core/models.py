"""The core's tables: the heartbeat of each long-running process (the worker), so that
``helpline doctor`` and the health check can tell a worker that runs from one that stopped;
the request counts of the rate limits (``helpline.core.limits``)."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last time process ``name`` (``worker``) said it was alive, and where it runs."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S} on {self.host} ({self.pid})"


class RateCount(models.Model):
    """How many requests one caller (a token, a person, an address, a sender domain) made in
    one fixed window of one limit. Every web process and worker shares it (decision 0125)."""

    key = models.CharField(max_length=80, help_text="limit name and a hash of who is counted")
    slot = models.BigIntegerField(help_text="window number: Unix seconds // window length")
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "slot"], name="rate_count_key_slot")]

    def __str__(self) -> str:
        return f"{self.key} #{self.slot}: {self.count}"
