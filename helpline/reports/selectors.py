"""The reports: SLA compliance (with the guideline's goals beside the targets, ``goals``),
response times, backlog, breaches, satisfaction (decision 0041), and promise kept against the
due dates (``promise``, decision 0095).

Every figure is a SQL aggregate over the rows the viewer may see (``accounts.access`` through
``tickets.selectors.visible_tickets``); Python only formats the few rows that come back.
A report covers a period ``[start, end)``: the SLA tables the targets *started* in it, the others
the tickets created (or resolved) in it; months and days are those of the viewer's time zone.
Targets are judged per clock row, so a C1 met by its workaround counts as a C1, and the C2
resolution it turns into counts as a C2.

An outcome is *met* (met, not breached), *breached* (recorded breach, or a running target whose
deadline has passed and the worker has not yet swept), or still *pending* (not counted).
Compliance % = met ÷ (met + breached).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import (
    ExtractHour,
    ExtractIsoWeekDay,
    ExtractMinute,
    TruncDate,
    TruncMonth,
)

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core import display
from helpline.core.errors import InvalidInput
from helpline.reports import goals
from helpline.sla.defaults import FIRST_RESPONSE, RESOLUTION
from helpline.tickets import access as ticket_access
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.events import EventKind
from helpline.tickets.models import Ticket, TicketClock, TicketEvent

Dimension = Literal["priority", "store", "agent", "month"]
DIMENSIONS: tuple[str, ...] = ("priority", "store", "agent", "month")
MAX_DAYS = 400
MIN_YEAR, MAX_YEAR = 2000, 2999
BREACH_LIST = 200
# Business hours for "breached outside business hours" (docs/policy.md: Mon–Fri 10:00–18:00 IST).
BUSINESS_ZONE = ZoneInfo("Asia/Kolkata")
OPENING, CLOSING = 10, 18


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    zone: ZoneInfo

    @classmethod
    def of(cls, *, start: date, end: date, zone: str = "Asia/Kolkata") -> Period:
        """Local days ``start`` … ``end`` inclusive, in ``zone``."""
        try:
            tz = ZoneInfo(zone)
        except (ValueError, KeyError, OSError):
            raise InvalidInput(f"unknown time zone {zone!r}", code="invalid_zone") from None
        if not (MIN_YEAR <= start.year <= MAX_YEAR and MIN_YEAR <= end.year <= MAX_YEAR):
            raise InvalidInput(
                f"report periods lie between {MIN_YEAR} and {MAX_YEAR}", code="invalid_period"
            )
        if end < start:
            raise InvalidInput("the period ends before it starts", code="invalid_period")
        if (end - start).days >= MAX_DAYS:
            raise InvalidInput(f"a report covers at most {MAX_DAYS} days", code="period_too_long")
        first = datetime(start.year, start.month, start.day, tzinfo=tz)
        after = datetime(end.year, end.month, end.day, tzinfo=tz) + timedelta(days=1)
        return cls(start=first, end=after, zone=tz)


@dataclass
class Table:
    """A report table: what the page shows, the chart draws and the exports write."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


# ---------------------------------------------------------------- scoping


def _tickets(user: User | None, period: Period) -> QuerySet[Ticket]:
    return ticket_selectors.visible_tickets(user).filter(
        created_at__gte=period.start, created_at__lt=period.end
    )


def _clocks(user: User | None, period: Period) -> QuerySet[TicketClock]:
    # Targets started in the period (a ticket's first targets start when it is created, and a
    # re-prioritised one keeps that start; the C2 resolution after a C1 workaround starts at the
    # workaround): no join for staff.
    qs = TicketClock.objects.filter(started_at__gte=period.start, started_at__lt=period.end)
    scope = ticket_access.ticket_scope(user)
    if scope == access.NOTHING:
        return qs.none()
    if user is not None and user.role in access.ALL_TICKETS_ROLES:
        return qs
    return qs.filter(ticket__in=ticket_selectors.visible_tickets(user).values("pk"))


def _met() -> Q:
    return Q(met_at__isnull=False, breached_at__isnull=True)


def _breached(now: datetime) -> Q:
    overdue = Q(
        breached_at__isnull=True,
        met_at__isnull=True,
        stopped_at__isnull=True,
        superseded_at__isnull=True,
        deadline__lte=now,
    )
    return Q(breached_at__isnull=False) | overdue


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


# ---------------------------------------------------------------- compliance


def _months(period: Period) -> list[datetime]:
    """The instants the local months of the period start at (the first is the period's start)."""
    local = period.start.astimezone(period.zone)
    starts = [period.start]
    year, month = local.year, local.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        nxt = datetime(year, month, 1, tzinfo=period.zone)
        if nxt >= period.end:
            return starts
        starts.append(nxt)


def _month_of(period: Period) -> Case:
    """The local month (YYYY-MM) a target started in, as comparisons with the month
    boundaries: cheaper than converting every row's instant to the zone."""
    starts = _months(period)
    whens = [
        When(started_at__lt=nxt, then=Value(start.astimezone(period.zone).strftime("%Y-%m")))
        for start, nxt in zip(starts, [*starts[1:], period.end], strict=True)
    ]
    return Case(*whens, default=Value(""))


def _dimension(dim: str, period: Period) -> tuple[str, Any]:
    if dim == "priority":
        return "key", F("priority")
    if dim == "store":
        return "key", F("ticket__store__name")
    if dim == "agent":
        return "key", F("ticket__assignee__email")
    if dim == "month":
        return "key", _month_of(period)
    raise InvalidInput(f"group by one of: {', '.join(DIMENSIONS)}", code="invalid_dimension")


def compliance(*, user: User | None, period: Period, by: str = "priority", now: datetime) -> Table:
    """First response met % and resolution met %, grouped by priority, store, agent or month;
    beside them the guideline's goals (``reports.goals``): the share meeting the target and the
    share within the goal."""
    if by == "agent" and not access.sees_internal(user):
        raise InvalidInput("only staff group by agent", code="invalid_dimension")
    name, expr = _dimension(by, period)
    met, breached = _met(), _breached(now)
    fr, res = Q(kind=FIRST_RESPONSE), Q(kind=RESOLUTION)
    rows = (
        _clocks(user, period)
        .filter(met | breached)
        .annotate(**{name: expr})
        .values(name)
        .annotate(
            fr_met=Count("id", filter=fr & met),
            fr_breached=Count("id", filter=fr & breached),
            res_met=Count("id", filter=res & met),
            res_breached=Count("id", filter=res & breached),
            **goals.aggregates(met),
        )
        .order_by(name)
    )
    table = Table(
        name=f"compliance-{by}",
        title=f"SLA compliance by {by}",
        columns=[
            by,
            "first response met",
            "first response breached",
            "first response met %",
            "resolution met",
            "resolution breached",
            "resolution met %",
            *goals.columns(),
        ],
    )
    for r in rows:
        key = r[name]
        if key is None:
            key = "(unassigned)" if by == "agent" else "—"
        table.rows.append(
            [
                key,
                r["fr_met"],
                r["fr_breached"],
                _pct(r["fr_met"], r["fr_met"] + r["fr_breached"]),
                r["res_met"],
                r["res_breached"],
                _pct(r["res_met"], r["res_met"] + r["res_breached"]),
                *goals.cells(r),
            ]
        )
    return table


# ---------------------------------------------------------------- response times


def _percentile_sql(base_sql: str) -> str:
    """Median and p90 per (priority, kind) of the met clocks, in seconds, interpolated
    linearly between ranks (``percentile_cont``'s definition) on both engines."""
    if connection.vendor == "postgresql":
        return f"""
            SELECT priority, kind, count(*),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM taken_business)),
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM taken_business)),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM taken_wall)),
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM taken_wall))
            FROM ({base_sql}) b GROUP BY priority, kind ORDER BY priority, kind
        """  # noqa: S608

    # SQLite: rank each value within its group (window functions), then take the two ranks
    # around 1 + p × (n − 1) and interpolate between them.
    def pick(p: float, value: str, rank: str) -> str:
        pos = f"(1 + {p} * (n - 1))"
        low = f"CAST({pos} AS INTEGER)"
        return (
            f"SUM(CASE WHEN {rank} = {low} THEN {value} * (1 - ({pos} - {low})) "
            f"WHEN {rank} = {low} + 1 THEN {value} * ({pos} - {low}) ELSE 0 END)"
        )

    return f"""
        WITH r AS (
            SELECT priority, kind,
                   taken_business / 1000000.0 AS vb, taken_wall / 1000000.0 AS vw,
                   ROW_NUMBER() OVER (PARTITION BY priority, kind ORDER BY taken_business) AS rb,
                   ROW_NUMBER() OVER (PARTITION BY priority, kind ORDER BY taken_wall) AS rw,
                   COUNT(*) OVER (PARTITION BY priority, kind) AS n
            FROM ({base_sql}) b
        )
        SELECT priority, kind, MAX(n),
               {pick(0.5, "vb", "rb")}, {pick(0.9, "vb", "rb")},
               {pick(0.5, "vw", "rw")}, {pick(0.9, "vw", "rw")}
        FROM r GROUP BY priority, kind ORDER BY priority, kind
    """  # noqa: S608


def response_times(*, user: User | None, period: Period) -> Table:
    """Median and p90 time to first response and to resolution, business and calendar hours."""
    base = (
        _clocks(user, period)
        .filter(met_at__isnull=False, taken_business__isnull=False, taken_wall__isnull=False)
        .values("priority", "kind", "taken_business", "taken_wall")
    )
    sql, params = base.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_percentile_sql(sql), params)
        fetched = cursor.fetchall()
    table = Table(
        name="response-times",
        title="Time to first response and to resolution (hours)",
        columns=[
            "priority",
            "target",
            "met (on time or late)",
            "median business h",
            "p90 business h",
            "median calendar h",
            "p90 calendar h",
        ],
    )
    for priority, kind, n, mb, pb, mw, pw in fetched:
        table.rows.append(
            [priority, kind, int(n), *(round(float(v) / 3600, 2) for v in (mb, pb, mw, pw))]
        )
    return table


# ---------------------------------------------------------------- backlog


def backlog(*, user: User | None, period: Period) -> Table:
    """Per local day: tickets created, resolved, and open at the end of the day.

    Open = created and not (yet) resolved or closed; the counts are two GROUP BYs and the
    running total a sum over days (not over tickets)."""
    visible = ticket_selectors.visible_tickets(user)
    done_at = Case(
        When(resolved_at__isnull=False, then=F("resolved_at")),
        default=F("closed_at"),
    )
    created = dict(
        visible.filter(created_at__gte=period.start, created_at__lt=period.end)
        .annotate(day=TruncDate("created_at", tzinfo=period.zone))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    done = (
        visible.annotate(done=done_at)
        .filter(done__gte=period.start, done__lt=period.end)
        .annotate(day=TruncDate("done", tzinfo=period.zone))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    resolved = dict(done)
    before = visible.filter(created_at__lt=period.start).aggregate(
        opened=Count("id"),
        finished=Count(
            "id",
            filter=Q(resolved_at__lt=period.start)
            | Q(resolved_at__isnull=True, closed_at__lt=period.start),
        ),
    )
    open_now = before["opened"] - before["finished"]
    table = Table(
        name="backlog",
        title="Created, resolved and open tickets per day",
        columns=["day", "created", "resolved", "open at end of day"],
    )
    day = period.start.astimezone(period.zone).date()
    last = (period.end - timedelta(seconds=1)).astimezone(period.zone).date()
    while day <= last:
        c, r = created.get(day, 0), resolved.get(day, 0)
        open_now += c - r
        table.rows.append([day.isoformat(), c, r, open_now])
        day += timedelta(days=1)
    return table


# ---------------------------------------------------------------- breaches


def _cause(user: User | None) -> Case:
    """Why a target was missed. Who a ticket is assigned to is internal: a merchant's report
    never tells "unassigned" from "first reply late"."""
    reopened = Exists(
        TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id"), kind=EventKind.SLA_RESUMED)
    )
    unassigned = (
        [
            When(
                kind=FIRST_RESPONSE,
                ticket__assignee__isnull=True,
                then=Value("no reply, unassigned"),
            )
        ]
        if access.is_staff(user)
        else []
    )
    return Case(
        *unassigned,
        When(kind=FIRST_RESPONSE, then=Value("first reply late")),
        When(Q(kind=RESOLUTION) & Q(reopened), then=Value("late after a reopen")),
        When(
            kind=RESOLUTION,
            ticket__status__in=["waiting_on_merchant", "awaiting_approval"],
            then=Value("late, now waiting on the merchant"),
        ),
        default=Value("resolution late"),
    )


def _outside_hours() -> Q:
    """Breached outside Mon–Fri 10:00–18:00 IST (18:00 itself, where a business deadline
    lands, is inside; holidays are not counted here)."""
    return (
        Q(local_hour__lt=OPENING)
        | Q(local_hour__gt=CLOSING)
        | Q(local_hour=CLOSING, local_minute__gt=0)
        | Q(local_weekday__gte=6)
    )


def breach_causes(*, user: User | None, period: Period, now: datetime) -> Table:
    """Breaches grouped by cause and priority, with how many fell outside business hours."""
    rows = (
        _clocks(user, period)
        .filter(_breached(now))
        .annotate(
            cause=_cause(user),
            at=Case(When(breached_at__isnull=False, then=F("breached_at")), default=F("deadline")),
        )
        .annotate(
            local_hour=ExtractHour("at", tzinfo=BUSINESS_ZONE),
            local_minute=ExtractMinute("at", tzinfo=BUSINESS_ZONE),
            local_weekday=ExtractIsoWeekDay("at", tzinfo=BUSINESS_ZONE),
        )
        .values("cause", "priority")
        .annotate(
            n=Count("id"),
            outside=Count("id", filter=_outside_hours()),
        )
        .order_by("-n", "cause", "priority")
    )
    return Table(
        name="breaches",
        title="Breaches by cause",
        columns=["cause", "priority", "breaches", "outside business hours"],
        rows=[[r["cause"], r["priority"], r["n"], r["outside"]] for r in rows],
    )


def breach_list(*, user: User | None, period: Period, now: datetime) -> Table:
    """The latest breaches, one row each (at most BREACH_LIST)."""
    rows = (
        _clocks(user, period)
        .filter(_breached(now))
        .annotate(cause=_cause(user))
        .order_by("-deadline", "-id")
        .values("ticket_id", "ticket__subject", "priority", "kind", "deadline", "cause")[
            :BREACH_LIST
        ]
    )
    return Table(
        name="breach-list",
        title="Latest breaches",
        columns=["ticket", "subject", "priority", "target", f"deadline ({period.zone})", "cause"],
        rows=[
            [
                f"HL-{r['ticket_id']}",
                r["ticket__subject"],
                r["priority"],
                r["kind"],
                display.when(r["deadline"], period.zone),
                r["cause"],
            ]
            for r in rows
        ],
    )


# ---------------------------------------------------------------- satisfaction


def satisfaction(*, user: User | None, period: Period) -> Table:
    """Ratings given on closing, by month: how many of each score and the average."""
    rows = (
        _tickets(user, period)
        .filter(rating__isnull=False)
        .annotate(month=TruncMonth("created_at", tzinfo=period.zone))
        .values("month")
        .annotate(
            n=Count("id"),
            avg=Avg("rating"),
            **{f"r{i}": Count("id", filter=Q(rating=i)) for i in range(1, 6)},
        )
        .order_by("month")
    )
    return Table(
        name="satisfaction",
        title="Satisfaction ratings (1–5)",
        columns=["month", "ratings", "average", "1", "2", "3", "4", "5"],
        rows=[
            [
                r["month"].astimezone(period.zone).strftime("%Y-%m"),
                r["n"],
                round(float(r["avg"]), 2),
                *(r[f"r{i}"] for i in range(1, 6)),
            ]
            for r in rows
        ],
    )


REPORTS: Sequence[str] = (
    "compliance-priority",
    "compliance-store",
    "compliance-agent",
    "compliance-month",
    "response-times",
    "backlog",
    "breaches",
    "breach-list",
    "satisfaction",
    "promise-agent",
    "promise-team",
    "promise-issue-type",
    "promise-merchant",
    "root-causes",
)
# Internal groupings: assignment and teams are not shown to merchants.
# Root-cause reports name every store's outages: staff only.
INTERNAL = frozenset({"compliance-agent", "promise-agent", "promise-team", "root-causes"})


def report(*, user: User | None, name: str, period: Period, now: datetime) -> Table:
    """One report table by name (the pages, the API and the exports call this)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A year of targets is sorted in memory, and JIT compiling would cost more
                # than it saves on queries this short.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        return _report(user=user, name=name, period=period, now=now)


def _report(*, user: User | None, name: str, period: Period, now: datetime) -> Table:
    if name.startswith("compliance-"):
        return compliance(user=user, period=period, by=name.removeprefix("compliance-"), now=now)
    if name == "response-times":
        return response_times(user=user, period=period)
    if name == "backlog":
        return backlog(user=user, period=period)
    if name == "breaches":
        return breach_causes(user=user, period=period, now=now)
    if name == "breach-list":
        return breach_list(user=user, period=period, now=now)
    if name == "satisfaction":
        return satisfaction(user=user, period=period)
    if name.startswith("promise-"):
        from helpline.reports import promise  # it builds on this module's Period and Table

        return promise.promise_kept(
            user=user, period=period, by=name.removeprefix("promise-"), now=now
        )
    if name == "root-causes":
        from helpline.reports import promise

        return promise.root_causes(period=period, now=now)
    raise InvalidInput(f"unknown report {name!r}; one of: {', '.join(REPORTS)}", code="unknown")


def available(user: User | None) -> list[str]:
    """The reports this user may ask for (grouping by agent or team is internal)."""
    return [n for n in REPORTS if n not in INTERNAL or access.sees_internal(user)]
