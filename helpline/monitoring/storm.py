"""Storms: many stores down at once are one platform incident (decision 0140).

- ``incident_check``: run once per probe round, before the round's outages are recorded (with
  the stores the round is about to confirm) and after. When ``MONITOR_INCIDENT_MIN_STORES``
  stores, and ``MONITOR_INCIDENT_SHARE`` of the watched ones, have confirmed outages within
  ``MONITOR_INCIDENT_WINDOW_MINUTES``, it opens one platform incident — or joins the one already
  open — links the storm's outages and tickets to it, and asks ``listeners.storm_seen`` to page
  the on-call (one idempotency key per incident: paged once). A round whose control target
  failed is blind (``services.round_is_blind``): it confirms no outage, so it never makes one.
- ``ticket_opened``: a tickets listener; a C1 ticket opened while a platform incident is open
  (store down, mail, portal, API) is linked to it as it is opened, before notifications decide
  who hears of it (monitoring's ``AppConfig`` is ready before notifications').
- ``link``: one ticket to one incident, once (a unique row), with a public
  ``platform_incident`` event on the ticket (the merchant is told through notifications).
- ``updates_sweep``: after an incident resolves, every linked ticket gets one public update
  from support (which meets a pending first response); each one claims its link row in the
  transaction that posts it, so a worker killed half-way re-runs the rest and repeats none.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from helpline.core import clock, display
from helpline.core.errors import Conflict
from helpline.monitoring import listeners, status_changes
from helpline.monitoring.models import IncidentTicket, Monitor, Outage, PlatformIncident
from helpline.monitoring.states import SUSPECT
from helpline.tickets import events as kinds
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets import services as tickets
from helpline.tickets.events import EventKind

UPDATES_BATCH = 500


def open_incident() -> PlatformIncident | None:
    """The platform incident open now (the oldest, if staff opened several)."""
    return PlatformIncident.objects.filter(resolved_at__isnull=True).order_by("started_at").first()


def is_storm(down: int, watched: int) -> bool:
    """Whether ``down`` of ``watched`` stores falling within the window is a storm."""
    if watched <= 0 or down < settings.MONITOR_INCIDENT_MIN_STORES:
        return False
    return down / watched >= settings.MONITOR_INCIDENT_SHARE


def status_url() -> str:
    return f"{settings.BASE_URL.rstrip('/')}/status/"


def _falling(
    now: datetime,
    window: timedelta,
    starts: dict[int, datetime],
    falling: Sequence[tuple[int, datetime]],
) -> dict[int, datetime]:
    """Every store failing within the window, confirmed or not: the outages (``starts``), this
    round's first failures (``falling``, the control target answered) and the monitors still
    suspect from earlier rounds (decision 0192)."""
    seen = dict(starts)
    earlier = Monitor.objects.filter(
        state=SUSPECT, active=True, first_failure_at__gte=now - window
    ).values_list("store_id", "first_failure_at")
    for store_id, first in [*falling, *earlier]:
        if first is not None:
            seen.setdefault(store_id, first)
    return seen


def incident_check(
    *,
    now: datetime,
    coming: Sequence[tuple[int, datetime]] = (),
    falling: Sequence[tuple[int, datetime]] = (),
) -> PlatformIncident | None:
    """Open or join the storm's platform incident (see the module). ``coming``: (store id,
    first failure) of the outages this round is about to confirm, so that the incident exists
    before their tickets are opened and they are linked as they open; ``falling``: the stores
    that failed for the first time in this round — a storm is recognised from the first
    failures, before the outages are confirmed (decision 0192)."""
    window = timedelta(minutes=settings.MONITOR_INCIDENT_WINDOW_MINUTES)
    recent = Outage.objects.filter(ended_at__isnull=True, confirmed_at__gte=now - window)
    starts = dict(recent.values_list("store_id", "started_at"))
    for store_id, started in coming:
        starts.setdefault(store_id, started)
    incident = open_incident()
    if incident is None and not falling and len(starts) < settings.MONITOR_INCIDENT_MIN_STORES:
        return None  # the common case, two queries: no storm, nothing open
    down = _falling(now, window, starts, falling)
    watched = Monitor.objects.filter(active=True).values("store_id").distinct().count()
    storm = is_storm(len(down), watched)
    with transaction.atomic():
        if incident is None:
            if not storm:
                return None
            incident = PlatformIncident.objects.create(
                title=f"Many stores unreachable ({len(down)} of {watched})",
                description="Opened by the store monitor: these stores fell within minutes.",
                started_at=min(down.values()),
            )
            # C1 tickets of the storm filed before it was recognised join it too: the probes
            # see a store fall up to an interval late, so the window reaches back before it.
            early = ticket_selectors.open_c1_ids_since(incident.started_at - window)
            link_many(incident, early, now=now)
            status_changes.incident_opened(incident, now=now)
        elif not (storm or incident.automatic):
            return None  # staff's incident takes a lone store's outage only in a storm
        joining = list(recent.filter(incident__isnull=True).values_list("pk", "ticket_id"))
        Outage.objects.filter(pk__in=[pk for pk, _ in joining]).update(incident=incident)
        link_many(incident, [t for _, t in joining if t is not None], now=now)
        if storm and incident.paged_at is None:
            seen = listeners.Storm(
                incident=incident, stores_down=len(down), watched=watched, now=now
            )
            if listeners.storm_seen(seen):
                incident.paged_at = now
                incident.save(update_fields=["paged_at"])
    return incident


def link_many(incident: PlatformIncident, ticket_ids: Collection[int], *, now: datetime) -> int:
    """Link the tickets not linked yet (each with its event); returns how many were linked."""
    known = set(
        IncidentTicket.objects.filter(
            incident=incident, ticket_id__in=list(ticket_ids)
        ).values_list("ticket_id", flat=True)
    )
    fresh = [t for t in ticket_selectors.tickets_by_ids(set(ticket_ids) - known)]
    return sum(link(incident, ticket, now=now) for ticket in fresh)


def link(
    incident: PlatformIncident, ticket: Any, *, now: datetime, at_opening: bool = False
) -> bool:
    """Link ``ticket`` to ``incident`` once (False: it was already); the event tells the
    merchant (notifications), in the caller's transaction."""
    try:
        with transaction.atomic():
            IncidentTicket.objects.create(
                incident=incident, ticket_id=ticket.pk, via=ticket.channel, linked_at=now
            )
    except IntegrityError:
        return False
    event = kinds.platform_incident(
        incident=incident.pk, title=incident.title, at_opening=at_opening
    )
    tickets.ticket_record(ticket=ticket, event=event, now=now)
    return True


def ticket_opened(*, ticket: Any, actor: Any, events: Sequence[Any]) -> None:
    """A tickets listener: a C1 opened while a platform incident is open joins it at once."""
    if ticket.priority != "C1" or not any(e.kind == EventKind.CREATED for e in events):
        return
    incident = open_incident()
    if incident is not None:
        at = next(e.created_at for e in events if e.kind == EventKind.CREATED)
        link(incident, ticket, now=at, at_opening=True)


def incident_resolved_check(incident_id: int, *, now: datetime) -> bool:
    """An incident resolves when none of its outages is still open (its linked tickets then
    get their update from ``updates_sweep``)."""
    if Outage.objects.filter(incident_id=incident_id, ended_at__isnull=True).exists():
        return False
    resolved = PlatformIncident.objects.filter(pk=incident_id, resolved_at__isnull=True).update(
        resolved_at=now
    )
    if resolved:
        status_changes.incident_resolved(incident_id, now=now)
    return bool(resolved)


def unconfirmed_resolve(*, now: datetime) -> int:
    """An automatic incident opened on first failures that never became an outage (the stores
    answered again before any was confirmed) resolves once no store is suspect and a window
    has passed since it began (the minute sweep; decision 0192). Returns how many."""
    if Monitor.objects.filter(state=SUSPECT, active=True).exists():
        return 0
    window = timedelta(minutes=settings.MONITOR_INCIDENT_WINDOW_MINUTES)
    idle = PlatformIncident.objects.filter(
        resolved_at__isnull=True, automatic=True, started_at__lt=now - window
    ).exclude(pk__in=Outage.objects.filter(incident__isnull=False).values("incident_id"))
    resolved = 0
    for incident_id in list(idle.values_list("pk", flat=True)):
        # One by one, so that whoever heard it open (the status subscribers) hears it end.
        if PlatformIncident.objects.filter(pk=incident_id, resolved_at__isnull=True).update(
            resolved_at=now
        ):
            status_changes.incident_resolved(incident_id, now=now)
            resolved += 1
    return resolved


def _update_body(incident: PlatformIncident, ticket: Any) -> str:
    zone = ticket.merchant.time_zone
    resolved = incident.resolved_at or clock.now()
    return (
        f"The platform incident “{incident.title}” is resolved: the platform works again "
        f"since {display.when(resolved, zone)} (it began {display.when(incident.started_at, zone)}"
        f"). Status and history: {status_url()}\n\n"
        "If something still does not work for you, reply to this ticket and we will look at it."
    )


def updates_sweep(*, now: datetime, limit: int = UPDATES_BATCH) -> int:
    """One public update on each ticket of a resolved incident not updated yet; returns how
    many were posted. Each link is claimed (a conditional UPDATE) in the transaction that
    posts its update: two workers never post the same one, a crash repeats none."""
    due = list(
        IncidentTicket.objects.filter(updated_at__isnull=True, incident__resolved_at__isnull=False)
        .select_related("incident")
        .order_by("pk")[:limit]
    )
    if not due:
        return 0
    by_id = {t.pk: t for t in ticket_selectors.tickets_by_ids({d.ticket_id for d in due})}
    posted = 0
    for row in due:
        with transaction.atomic():
            claimed = IncidentTicket.objects.filter(pk=row.pk, updated_at__isnull=True).update(
                updated_at=now
            )
            ticket = by_id.get(row.ticket_id)
            if not claimed or ticket is None:
                continue
            with contextlib.suppress(Conflict):
                posted += (
                    tickets.ticket_incident_update(
                        ticket=ticket, body=_update_body(row.incident, ticket), now=now
                    )
                    is not None
                )
    return posted
