"""A weekly on-call rota for tests: every hour outside business hours (Monday–Friday
10:00–18:00 IST) covered, nights by one person and weekends by another."""

from __future__ import annotations

from datetime import time
from typing import Any

from helpline.outbox.models import OnCallShift

NIGHTS = [(d, time(18), time(10)) for d in range(4)]  # Mon–Thu 18:00 → next day 10:00
WEEKEND = [
    (4, time(18), time(0)),
    (5, time(0), time(0)),
    (6, time(0), time(0)),
    (0, time(0), time(10)),
]


def full_rota(night: Any, weekend: Any, *, skip: tuple[int, time] | None = None) -> None:
    """Shifts covering every hour outside business hours; ``skip`` (weekday, start) leaves one
    out."""
    for who, shifts in ((night, NIGHTS), (weekend, WEEKEND)):
        for weekday, start, end in shifts:
            if skip != (weekday, start):
                OnCallShift.objects.create(
                    user=who, weekday=weekday, start=start, end=end, zone="Asia/Kolkata"
                )
