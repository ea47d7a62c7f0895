"""The core's one table: the heartbeat of each long-running process (the worker), so that
``helpline doctor`` and the health check can tell a worker that runs from one that stopped."""

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
