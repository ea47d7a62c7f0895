"""Reads of the monitoring app. Per-store reads are scoped by ``accounts.access`` through the
merchants' selectors (another merchant's store is a 404); the platform status is public."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from helpline.accounts.models import User
from helpline.core.errors import InvalidInput, NotFound
from helpline.core.validation import FIRST_YEAR, LAST_YEAR, id_in_range
from helpline.core.zones import zone_or_default
from helpline.merchants import selectors as merchant_selectors
from helpline.merchants.models import Store
from helpline.monitoring import uptime
from helpline.monitoring.models import (
    BlindSpan,
    IncidentTicket,
    MaintenanceWindow,
    Monitor,
    MonitorState,
    Outage,
    PlatformIncident,
    RootCauseReport,
)

PERIODS = ("day", "month", "year")


def open_incidents() -> list[PlatformIncident]:
    """Platform incidents still open (shown before a merchant files a C1)."""
    return list(PlatformIncident.objects.filter(resolved_at__isnull=True).order_by("-started_at"))


def incident_of_ticket(ticket_id: int) -> PlatformIncident | None:
    """The platform incident a ticket is linked to (the latest), or None."""
    link = (
        IncidentTicket.objects.filter(ticket_id=ticket_id)
        .select_related("incident")
        .order_by("-pk")
        .first()
    )
    return link.incident if link is not None else None


def incidents(*, since: datetime | None = None, limit: int = 50) -> list[PlatformIncident]:
    qs = PlatformIncident.objects.all()
    if since is not None:
        qs = qs.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=since))
    return list(qs.order_by("-started_at")[:limit])


def maintenance_windows(*, since: datetime, store: Store | None = None) -> list[MaintenanceWindow]:
    """Windows not yet over at ``since`` (current and planned); for a store, those concerning
    it (its own and platform-wide)."""
    qs = MaintenanceWindow.objects.filter(ends_at__gt=since).prefetch_related("stores")
    if store is not None:
        qs = qs.filter(Q(stores__isnull=True) | Q(stores=store.pk)).distinct()
    return list(qs.order_by("starts_at"))


def monitors(*, user: User | None = None, store_id: int | None = None) -> QuerySet[Monitor]:
    """Monitors of the stores ``user`` may see (None: every monitor, for the system)."""
    qs = Monitor.objects.select_related("store", "store__merchant").order_by("pk")
    if user is not None:
        qs = qs.filter(store__in=merchant_selectors.visible_stores(user))
    return qs.filter(store_id=store_id) if store_id is not None else qs


def monitor_states(store_ids: list[int]) -> dict[int, list[str]]:
    """What each store's monitors say now, in words (sorted, each once), in one query: a paused
    monitor is "paused" whatever state it last had, never "up" while nobody probes it."""
    labels = dict(MonitorState.choices)
    found: dict[int, set[str]] = {}
    rows = Monitor.objects.filter(store_id__in=store_ids).values_list("store_id", "state", "active")
    for pk, state, active in rows:
        found.setdefault(pk, set()).add(labels.get(state, state).lower() if active else "paused")
    return {pk: sorted(states) for pk, states in found.items()}


def monitor_get(*, user: User | None, monitor_id: int) -> Monitor:
    monitor = monitors(user=user).filter(pk=monitor_id).first() if id_in_range(monitor_id) else None
    if monitor is None:
        raise NotFound("monitor not found")
    return monitor


def visible_maintenance(*, user: User | None, since: datetime) -> list[MaintenanceWindow]:
    """Windows not over at ``since``: platform-wide ones, and those of stores ``user`` sees."""
    stores = merchant_selectors.visible_stores(user).values("pk")
    qs = (
        MaintenanceWindow.objects.filter(ends_at__gt=since)
        .filter(Q(stores__isnull=True) | Q(stores__in=stores))
        .distinct()
        .prefetch_related("stores")
    )
    return list(qs.order_by("starts_at"))


def store_for(*, user: User | None, store_id: int) -> Store:
    return merchant_selectors.store_get(user=user, store_id=store_id)


def zone_of(store: Store) -> ZoneInfo:
    return zone_or_default(store.merchant.time_zone)


@dataclass(frozen=True)
class StoreHistory:
    """What the figures of a store are made of, over [start, end)."""

    outages: list[uptime.Interval]
    unknown: list[uptime.Interval]
    maintenance: list[uptime.Interval]


Bounds = tuple[datetime, datetime]


def store_history(store: Store, start: datetime, end: datetime, now: datetime) -> StoreHistory:
    """Outages (open ones until ``now``), unknown time (blind spans, and before the store was
    first watched or whenever it has no active monitor) and maintenance windows."""
    return store_histories({store.pk: (start, end)}, now)[store.pk]


def _overlaps(start: datetime, end: datetime | None, bounds: Bounds) -> bool:
    return start < bounds[1] and (end is None or end > bounds[0])


def store_histories(bounds: dict[int, Bounds], now: datetime) -> dict[int, StoreHistory]:
    """``store_history`` of many stores, each over its own [start, end) (periods are local to
    each store's zone), in four queries whatever their number."""
    ids = list(bounds)
    lo, hi = min(b[0] for b in bounds.values()), max(b[1] for b in bounds.values())
    outages: dict[int, list[uptime.Interval]] = {pk: [] for pk in ids}
    for pk, started, ended in (
        Outage.objects.filter(store_id__in=ids, started_at__lt=hi)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=lo))
        .values_list("store_id", "started_at", "ended_at")
    ):
        if _overlaps(started, ended, bounds[pk]):
            outages[pk].append((started, ended or now))
    unknown: dict[int, list[uptime.Interval]] = {pk: [] for pk in ids}
    for pk, started, ended in BlindSpan.objects.filter(
        store_id__in=ids, started_at__lt=hi, ended_at__gt=lo
    ).values_list("store_id", "started_at", "ended_at"):
        if _overlaps(started, ended, bounds[pk]):
            unknown[pk].append((started, ended))
    watched: dict[int, list[tuple[datetime, bool, datetime | None, int]]] = {pk: [] for pk in ids}
    for pk, created, active, probed, seconds in Monitor.objects.filter(
        store_id__in=ids
    ).values_list("store_id", "created_at", "active", "last_probe_at", "interval_seconds"):
        watched[pk].append((created, active, probed, seconds))
    concerns: dict[int, tuple[Bounds, set[int | None]]] = {}
    for pk, starts, ends, store_id in MaintenanceWindow.objects.filter(
        starts_at__lt=hi, ends_at__gt=lo
    ).values_list("pk", "starts_at", "ends_at", "stores"):
        concerns.setdefault(pk, ((starts, ends), set()))[1].add(store_id)
    out = {}
    for pk in ids:
        start, end = bounds[pk]
        gaps = unknown[pk]
        rows = watched[pk]
        if not rows:
            gaps.append((start, end))
        else:
            first = min(row[0] for row in rows)
            if first > start:
                gaps.append((start, first))
            for _, active, probed, seconds in rows:
                # Probing has stopped right now (no worker running): unknown from the probe
                # that should have come; the gap rule books it for good once probing resumes.
                interval = timedelta(seconds=seconds)
                if active and probed is not None and now - probed > 2 * interval:
                    gaps.append((probed + interval, now))
            if not any(row[1] for row in rows):
                # Stopped watching: what has not been probed since is unknown (the gap rule
                # books it once probing resumes; until then, it is booked here).
                probes = [row[2] for row in rows if row[2] is not None]
                gaps.append((max(probes) if probes else first, end))
        windows = [
            span
            for span, stores in concerns.values()
            if (None in stores or pk in stores) and _overlaps(span[0], span[1], (start, end))
        ]
        out[pk] = StoreHistory(outages[pk], gaps, windows)
    return out


def _figures(
    history: StoreHistory, start: datetime, end: datetime, now: datetime
) -> uptime.Figures:
    return uptime.figures(
        start=start,
        end=end,
        now=now,
        outages=history.outages,
        unknown=history.unknown,
        maintenance=history.maintenance,
    )


def month_figures(stores: list[Store], *, now: datetime) -> dict[int, uptime.Figures]:
    """This month's uptime of each store, in its own zone, from one batch of reads."""
    bounds = {
        s.pk: uptime.period_bounds("month", now.astimezone(zone_of(s)).date(), zone_of(s))
        for s in stores
    }
    if not bounds:
        return {}
    histories = store_histories(bounds, now)
    return {pk: _figures(histories[pk], *bounds[pk], now) for pk in bounds}


def store_figures(store: Store, *, kind: str, day: date, now: datetime) -> uptime.Figures:
    """Uptime of ``store`` for the ``kind`` period (day, month, year) holding local ``day``."""
    start, end = uptime.period_bounds(kind, day, zone_of(store))
    return _figures(store_history(store, start, end, now), start, end, now)


def store_uptime(
    *, user: User | None, store_id: int, kind: str, day: date, now: datetime
) -> tuple[Store, uptime.Figures]:
    """The scoped read: a store the user may not see is a 404."""
    if kind not in PERIODS:
        raise InvalidInput(f"period must be one of {', '.join(PERIODS)}", code="invalid_period")
    if not FIRST_YEAR < day.year < LAST_YEAR:
        raise InvalidInput(
            f"the date must be between the years {FIRST_YEAR} and {LAST_YEAR}", code="invalid_date"
        )
    store = store_for(user=user, store_id=store_id)
    return store, store_figures(store, kind=kind, day=day, now=now)


def daily_figures(
    store: Store, *, dates: list[date], now: datetime
) -> list[tuple[date, uptime.Figures]]:
    """One figure per local day of ``dates`` (consecutive, oldest first), from one read."""
    zone = zone_of(store)
    start = uptime.period_bounds("day", dates[0], zone)[0]
    end = uptime.period_bounds("day", dates[-1], zone)[1]
    history = store_history(store, start, end, now)
    return [(d, _figures(history, *uptime.period_bounds("day", d, zone), now)) for d in dates]


def daily_bars(
    store: Store, *, today: date, now: datetime, days: int = 90
) -> list[tuple[date, uptime.Figures]]:
    """The status page's bar chart: the last ``days`` local days."""
    return daily_figures(store, dates=uptime.days_back(today, days), now=now)


def store_outages(store: Store, *, since: datetime, limit: int = 100) -> list[Outage]:
    return list(
        Outage.objects.filter(store=store)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=since))
        .order_by("-started_at")[:limit]
    )


@dataclass(frozen=True)
class PlatformStatus:
    watched: int
    down: int
    state: str  # operational, degraded, incident
    open_incidents: list[PlatformIncident]
    maintenance: list[MaintenanceWindow]
    history: list[PlatformIncident]
    days: list[tuple[date, str]]  # the last 90 days: operational / incident / maintenance


def platform_status(*, now: datetime, days: int = 90) -> PlatformStatus:
    """The public status page: no store is named, only the platform's state."""
    active = Monitor.objects.filter(active=True)
    watched = active.values("store_id").distinct().count()
    down = (
        active.filter(state__in=[MonitorState.DOWN, MonitorState.RECOVERING])
        .values("store_id")
        .distinct()
        .count()
    )
    open_now = open_incidents()
    state = "incident" if open_now else ("degraded" if down else "operational")
    zone = ZoneInfo(settings.TIME_ZONE_DISPLAY)
    today = now.astimezone(zone).date()
    dates = uptime.days_back(today, days)
    since = uptime.period_bounds("day", dates[0], zone)[0]
    history = incidents(since=since, limit=200)
    windows = list(
        MaintenanceWindow.objects.filter(ends_at__gt=since, stores__isnull=True).order_by(
            "starts_at"
        )
    )
    marks = []
    for d in dates:
        s, e = uptime.period_bounds("day", d, zone)
        if any(i.started_at < e and (i.resolved_at or now) > s for i in history):
            marks.append((d, "incident"))
        elif any(w.starts_at < e and w.ends_at > s for w in windows):
            marks.append((d, "maintenance"))
        else:
            marks.append((d, "operational" if s <= now else "future"))
    return PlatformStatus(
        watched=watched,
        down=down,
        state=state,
        open_incidents=open_now,
        maintenance=maintenance_windows(since=now - timedelta(days=1)),
        history=history,
        days=marks,
    )


# ---------------------------------------------------------------- root-cause reports


def root_causes_published(*, limit: int = 20) -> list[RootCauseReport]:
    """The published reports of platform incidents, newest first (the public status page; a
    store outage's report names its store and is shown on the store's page only)."""
    return list(
        RootCauseReport.objects.filter(published_at__isnull=False, incident__isnull=False)
        .select_related("incident")
        .order_by("-published_at")[:limit]
    )


def root_cause_for(*, user: User | None, report_id: int) -> RootCauseReport:
    """A published report as its reader may see it: an incident's for anyone, a store
    outage's for whoever sees the store; anything else (unpublished too) is NotFound."""
    if not id_in_range(report_id):
        raise NotFound("no such report")
    found = (
        RootCauseReport.objects.filter(pk=report_id, published_at__isnull=False)
        .select_related("incident", "outage")
        .first()
    )
    if found is None:
        raise NotFound("no such report")
    if found.outage is not None:
        store_for(user=user, store_id=found.outage.store_id)  # NotFound when not visible
    return found


def root_causes_for_staff(
    *, published: bool | None = None, limit: int = 200
) -> list[RootCauseReport]:
    """Every report for staff's list (the caller checks the role), the oldest due first."""
    rows = RootCauseReport.objects.select_related("owner").order_by("due_at")
    if published is not None:
        rows = rows.filter(published_at__isnull=not published)
    return list(rows[:limit])


def root_cause_of_incidents(incident_ids: list[int]) -> dict[int, RootCauseReport]:
    """The published reports of these incidents, by incident id (links on the status page)."""
    rows = RootCauseReport.objects.filter(incident_id__in=incident_ids, published_at__isnull=False)
    return {r.incident_id: r for r in rows if r.incident_id is not None}


def root_cause_for_staff(report_id: int) -> RootCauseReport:
    """Any report, published or not, for staff (the caller checks the role)."""
    found = (
        RootCauseReport.objects.filter(pk=report_id).select_related("owner").first()
        if id_in_range(report_id)
        else None
    )
    if found is None:
        raise NotFound("no such report")
    return found


def display_zone() -> ZoneInfo:
    """The installation's display zone (the public status page's readers)."""
    return zone_or_default(None)


def root_cause_counts(*, start: datetime, end: datetime, now: datetime) -> list[dict[str, Any]]:
    """Reports owed in [start, end) by what owed them: kept (published by the due date), late
    (published after it, or unpublished past it) and open (unpublished, not yet due); one
    GROUP BY (the SLA report's "root-cause reports" table)."""
    kept = Q(published_at__isnull=False, published_at__lte=F("due_at"))
    late = Q(published_at__gt=F("due_at")) | Q(published_at__isnull=True, due_at__lte=now)
    pending = Q(published_at__isnull=True, due_at__gt=now)
    of = Case(
        When(incident__isnull=False, then=Value("platform incident")),
        default=Value("store outage"),
    )
    rows = (
        RootCauseReport.objects.filter(owed_at__gte=start, owed_at__lt=end)
        .annotate(of=of)
        .values("of")
        .annotate(
            owed=Count("id"),
            kept=Count("id", filter=kept),
            late=Count("id", filter=late),
            open=Count("id", filter=pending),
        )
        .order_by("of")
    )
    return list(rows)


def tickets_in_open_incidents(ticket_ids: list[int]) -> set[int]:
    """Which of these tickets are linked to a platform incident that is still open (one query):
    a weight of "already reported?" (reports.similar)."""
    if not ticket_ids:
        return set()
    return set(
        IncidentTicket.objects.filter(
            ticket_id__in=ticket_ids, incident__resolved_at__isnull=True
        ).values_list("ticket_id", flat=True)
    )
