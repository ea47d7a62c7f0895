"""What the status page's subscribers hear of, said once per change (decision 0227), and the
root-cause reports those changes owe (decision 0229).

Every function runs inside the transaction of the change: the notices (written by whoever
registered with ``listeners.register_status``, the subscriptions app) commit with it or not at
all, and their keys name the change, so a re-run writes none twice.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from helpline.core import clock
from helpline.core.errors import Conflict, InvalidInput
from helpline.core.validation import has_nul
from helpline.monitoring import listeners, root_cause
from helpline.monitoring.models import Outage, PlatformIncident

UPDATE_MAX = 2000


def _tell(
    kind: str,
    key: str,
    title: str,
    detail: str,
    at: datetime,
    now: datetime,
    store_id: int | None = None,
) -> int:
    change = listeners.StatusChange(
        kind=kind, key=key, title=title, detail=detail, at=at, now=now, store_id=store_id
    )
    return listeners.status_changed(change)


def incident_opened(incident: PlatformIncident, *, now: datetime) -> None:
    root_cause.owe_for_incident(incident, now=now)
    _tell(
        "incident_opened",
        f"i{incident.pk}.open",
        incident.title,
        incident.description,
        incident.started_at,
        now,
    )


def incident_resolved(incident_id: int, *, now: datetime) -> None:
    incident = PlatformIncident.objects.get(pk=incident_id)
    at = incident.resolved_at or now
    _tell("incident_resolved", f"i{incident.pk}.resolved", incident.title, "", at, now)


def outage_started(outage: Outage, *, now: datetime) -> None:
    name = outage.store.name
    _tell(
        "outage_started",
        f"o{outage.pk}.start",
        name,
        "",
        outage.started_at,
        now,
        store_id=outage.store_id,
    )


def outage_ended(outage: Outage, *, now: datetime) -> None:
    root_cause.owe_for_outage(outage)
    at = outage.ended_at or now
    _tell(
        "outage_ended",
        f"o{outage.pk}.end",
        outage.store.name,
        "",
        at,
        now,
        store_id=outage.store_id,
    )


def incident_update(
    *, incident: PlatformIncident, update: str, now: datetime | None = None
) -> PlatformIncident:
    """Staff post an update on an open incident: it becomes the incident's description (shown
    on the status page) and its subscribers hear it."""
    now = now or clock.now()
    update = update.strip()
    if not update or len(update) > UPDATE_MAX or has_nul(update):
        raise InvalidInput(f"an update is 1 to {UPDATE_MAX} characters", code="invalid_update")
    with transaction.atomic():
        incident = PlatformIncident.objects.select_for_update().get(pk=incident.pk)
        if incident.resolved_at is not None:
            raise Conflict("the incident is resolved", code="incident_resolved")
        incident.description = update
        incident.save(update_fields=["description"])
        _tell(
            "incident_updated",
            f"i{incident.pk}.u{int(now.timestamp() * 1000)}",
            incident.title,
            update,
            now,
            now,
        )
    return incident
