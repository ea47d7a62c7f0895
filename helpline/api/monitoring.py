"""Store uptime: monitors (staff), a store's uptime (scoped), platform incidents, maintenance."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import Id, In, Instant, errors
from helpline.core import clock
from helpline.core.errors import Forbidden
from helpline.merchants import selectors as merchant_selectors
from helpline.monitoring import selectors, services

router = Router(tags=["uptime"], auth=AUTH)


def _staff(request: HttpRequest) -> User:
    user = user_of(request)
    if not access.is_staff(user):
        raise Forbidden("only staff manage monitors and maintenance", code="action_forbidden")
    return user


class MonitorOut(Schema):
    id: int
    store: int
    url: str
    interval_seconds: int
    timeout_seconds: int
    expected_status: int
    keyword: str
    tls_warn_days: int
    active: bool
    state: str
    last_probe_at: datetime | None
    next_probe_at: datetime
    last_error: str
    tls_expires_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_store(obj: Any) -> int:
        return int(obj.store_id)


class MonitorIn(In):
    store: Id
    url: str | None = Field(None, max_length=500, description="Default: the store's URL")
    interval_seconds: int = Field(60, ge=10, le=86400)
    timeout_seconds: int = Field(10, ge=1, le=60)
    expected_status: int = Field(200, ge=100, le=599)
    keyword: str = Field("", max_length=200)
    tls_warn_days: int = Field(14, ge=0, le=365)


class MonitorPatch(In):
    url: str | None = Field(None, max_length=500)
    interval_seconds: int | None = Field(None, ge=10, le=86400)
    timeout_seconds: int | None = Field(None, ge=1, le=60)
    expected_status: int | None = Field(None, ge=100, le=599)
    keyword: str | None = Field(None, max_length=200)
    tls_warn_days: int | None = Field(None, ge=0, le=365)
    active: bool | None = None


class MonitorFilter(Schema):
    store: Id | None = None


@router.get("/monitors", response={200: list[MonitorOut], **errors(403)})
def monitor_list(request: HttpRequest, filters: Query[MonitorFilter]) -> Any:
    user = _staff(request)
    return list(selectors.monitors(user=user, store_id=filters.store)[:1000])


@router.post("/monitors", response={201: MonitorOut, **errors(403, 404)})
def monitor_create(request: HttpRequest, payload: MonitorIn) -> Any:
    user = _staff(request)
    store = merchant_selectors.store_get(user=user, store_id=payload.store)
    data = payload.dict(exclude={"store"})
    return Status(201, services.monitor_create(store=store, **data))


@router.get("/monitors/{monitor_id}", response={200: MonitorOut, **errors(403, 404)})
def monitor_get(request: HttpRequest, monitor_id: int) -> Any:
    return selectors.monitor_get(user=_staff(request), monitor_id=monitor_id)


@router.patch("/monitors/{monitor_id}", response={200: MonitorOut, **errors(403, 404)})
def monitor_update(request: HttpRequest, monitor_id: int, payload: MonitorPatch) -> Any:
    monitor = selectors.monitor_get(user=_staff(request), monitor_id=monitor_id)
    return services.monitor_update(monitor=monitor, **payload.dict(exclude_none=True))


@router.delete("/monitors/{monitor_id}", response={200: MonitorOut, **errors(403, 404)})
def monitor_delete(request: HttpRequest, monitor_id: int) -> Any:
    """Stops probing (the monitor and its history stay: outages are kept for good)."""
    monitor = selectors.monitor_get(user=_staff(request), monitor_id=monitor_id)
    return services.monitor_update(monitor=monitor, active=False)


class UptimeOut(Schema):
    store: int
    period: str
    time_zone: str
    start: datetime
    end: datetime
    length_minutes: float
    elapsed_minutes: float
    unknown_minutes: float
    measured_minutes: float
    downtime_minutes: float
    maintenance_minutes: float
    budget_minutes: float
    remaining_minutes: float
    uptime_percent: float | None = Field(
        ..., description="None when nothing of the period was measured (never watched)"
    )
    watched: bool = Field(..., description="Some of the period was measured")
    over: bool = Field(..., description="The period has ended (else: the verdict so far)")
    verdict: Literal["kept", "broken", "not_known"] = Field(
        ...,
        description="The promise: broken when downtime is over the budget; not_known when the "
        "unknown time is more than the budget left, or nothing was measured; else kept",
    )
    meets_promise: bool | None = Field(
        ...,
        description="Deprecated: the verdict as a boolean (kept true, broken false, "
        "not_known null)",
    )


class UptimeQuery(Schema):
    period: Literal["day", "month", "year"] = "month"
    date: dt.date | None = Field(None, description="A local date in the period (default: today)")


@router.get("/stores/{store_id}/uptime", response={200: UptimeOut, **errors(404)})
def store_uptime(request: HttpRequest, store_id: int, query: Query[UptimeQuery]) -> Any:
    now = clock.now()
    store = selectors.store_for(user=user_of(request), store_id=store_id)
    zone = selectors.zone_of(store)
    day = query.date or now.astimezone(zone).date()
    _, figures = selectors.store_uptime(
        user=user_of(request), store_id=store_id, kind=query.period, day=day, now=now
    )
    return {
        "store": store.pk,
        "period": query.period,
        "time_zone": str(zone),
        **{k: getattr(figures, k) for k in UptimeOut.model_fields if hasattr(figures, k)},
    }


class IncidentOut(Schema):
    id: int
    title: str
    description: str
    started_at: datetime
    resolved_at: datetime | None
    automatic: bool


class IncidentQuery(Schema):
    open: bool | None = None


@router.get("/incidents", response={200: list[IncidentOut], **errors()})
def incident_list(request: HttpRequest, query: Query[IncidentQuery]) -> Any:
    if query.open:
        return selectors.open_incidents()
    return selectors.incidents(limit=100)


class MaintenanceOut(Schema):
    id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    stores: list[int]
    announced_at: datetime | None

    @staticmethod
    def resolve_stores(obj: Any) -> list[int]:
        return [s.pk for s in obj.stores.all()]


class MaintenanceIn(In):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    starts_at: Instant
    ends_at: Instant
    stores: list[Id] = Field(default_factory=list, max_length=1000)


@router.get("/maintenance", response={200: list[MaintenanceOut], **errors()})
def maintenance_list(request: HttpRequest) -> Any:
    return selectors.visible_maintenance(user=user_of(request), since=clock.now())


@router.post("/maintenance", response={201: MaintenanceOut, **errors(403, 404)})
def maintenance_create(request: HttpRequest, payload: MaintenanceIn) -> Any:
    user = _staff(request)
    if not payload.stores and user.role not in access.ALL_TICKETS_ROLES:
        raise Forbidden(
            "platform-wide maintenance is for agents and admins", code="action_forbidden"
        )
    stores = [merchant_selectors.store_get(user=user, store_id=pk) for pk in payload.stores]
    return Status(
        201,
        services.maintenance_create(
            title=payload.title,
            description=payload.description,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            stores=stores,
        ),
    )
