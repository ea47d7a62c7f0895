"""Who is paged when the store monitor sees a storm: an app above monitoring registers here,
monitoring never imports it.

When many stores fall at once (``storm.incident_check``) monitoring calls ``storm_seen`` inside
the same transaction that opened the platform incident or joined outages to it; the registered
pager (``notifications.paging.platform_incident``, in its ``AppConfig.ready``) writes the page to
the outbox under one idempotency key per incident, so however many rounds see the storm, and
however often a killed worker re-runs the round, the on-call is paged once for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from helpline.monitoring.models import PlatformIncident


@dataclass(frozen=True)
class Storm:
    incident: PlatformIncident
    stores_down: int  # stores of the storm known so far
    watched: int  # stores watched
    now: datetime


class Pager(Protocol):
    def __call__(self, storm: Storm) -> bool: ...


_pagers: list[Pager] = []


def register_pager(pager: Pager) -> None:
    """Add who pages for a storm (idempotent)."""
    if pager not in _pagers:
        _pagers.append(pager)


def storm_seen(storm: Storm) -> bool:
    """Whether a registered pager paged (or had paged) someone for the incident."""
    paged = False
    for pager in _pagers:
        paged = pager(storm) or paged
    return paged
