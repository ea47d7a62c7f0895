"""A process's heartbeat: ``beat`` (the worker, each step, at most every ``EVERY``) and
``last_beat`` (``helpline doctor``, the health check)."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from helpline.core.models import Heartbeat

EVERY = timedelta(seconds=30)  # a row written at most this often per process
WORKER = "worker"  # the worker's row: helpline.worker beats it, health and metrics read it
_last_written: dict[str, datetime] = {}


def beat(name: str, *, now: datetime) -> bool:
    """Record that ``name`` is alive at ``now``; skipped within ``EVERY`` of this process's
    previous beat (a step runs every second). Whether a row was written."""
    previous = _last_written.get(name)
    if previous is not None and timedelta(0) <= now - previous < EVERY:
        return False
    stamp(name, now=now)
    _last_written[name] = now
    return True


def stamp(name: str, *, now: datetime) -> None:
    """Write ``name``'s row now, whenever it was last written."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": now, "host": socket.gethostname(), "pid": os.getpid()}
    )


def last_beat(name: str) -> Heartbeat | None:
    return Heartbeat.objects.filter(name=name).first()


def forget() -> None:
    """Forget this process's last beats (tests roll the table back under them)."""
    _last_written.clear()
