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


# ---------------------------------------------------------------- status changes (decision 0227)


@dataclass(frozen=True)
class StatusChange:
    """What the status page's subscribers hear of: a platform incident opened, updated,
    resolved or its root cause published (``store_id`` None), or one store's outage started or
    ended (``store_id``: only that store's subscribers). ``key`` names the change once, so a
    re-run writes no second notice."""

    kind: str  # incident_opened | incident_updated | incident_resolved | root_cause | outage_*
    key: str
    title: str
    detail: str
    at: datetime
    now: datetime
    store_id: int | None = None
    link: str = ""


class StatusListener(Protocol):
    def __call__(self, change: StatusChange) -> int: ...


_status_listeners: list[StatusListener] = []


def register_status(listener: StatusListener) -> None:
    """Add who hears of status changes (idempotent)."""
    if listener not in _status_listeners:
        _status_listeners.append(listener)


def status_changed(change: StatusChange) -> int:
    """Called in the transaction of the change; returns how many notices were written."""
    return sum(listener(change) for listener in _status_listeners)


class OwnerFinder(Protocol):
    def __call__(self, at: datetime) -> int | None: ...


_owner_finders: list[OwnerFinder] = []


def register_owner_finder(finder: OwnerFinder) -> None:
    """Add who decides the owner of a new root-cause report (the on-call lives above)."""
    if finder not in _owner_finders:
        _owner_finders.append(finder)


def root_cause_owner(at: datetime) -> int | None:
    """The user id the first registered finder names, or None (nobody: admins are told)."""
    for finder in _owner_finders:
        found = finder(at)
        if found is not None:
            return found
    return None
