"""On-call coverage: the hours outside business hours that no one on the rota covers.

POLICY.md, "Ownership and routing": a rota covers every hour outside business hours for C1; a
gap in the next 7 days is shown to admins in the console, mailed to them daily and reported by
the health check. A rota slot whose person is on leave (their local days) is a gap like any
other. Business hours are the business calendar of the current policy (its holidays
included); the rota is the weekly ``OnCallShift`` rows (each in its own zone, an end at or
before the start running past midnight) and the ``OnCallOverride`` spans, read as
``routing.selectors.on_call_at`` reads them: while any override covers an instant it
replaces the weekly rota, and only active people count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from helpline.core.zones import known_zone, zone_or_default
from helpline.outbox import selectors as outbox
from helpline.outbox.models import OnCallShift
from helpline.routing.models import Leave
from helpline.sla import business_time
from helpline.sla import selectors as sla
from helpline.sla.defaults import BUSINESS

HORIZON = timedelta(days=7)
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Gap:
    """``[starts_at, ends_at)``, UTC: outside business hours and nobody on call."""

    starts_at: datetime
    ends_at: datetime

    @property
    def length(self) -> timedelta:
        return self.ends_at - self.starts_at


def _merge(spans: Iterable[Span]) -> list[Span]:
    out: list[Span] = []
    for begin, end in sorted(s for s in spans if s[1] > s[0]):
        if out and begin <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((begin, end))
    return out


def _subtract(spans: list[Span], holes: list[Span]) -> list[Span]:
    """``spans`` less ``holes`` (both merged and sorted)."""
    out: list[Span] = []
    for begin, end in spans:
        t = begin
        for h_begin, h_end in holes:
            if h_end <= t or h_begin >= end:
                continue
            if h_begin > t:
                out.append((t, h_begin))
            t = max(t, h_end)
            if t >= end:
                break
        if t < end:
            out.append((t, end))
    return out


def shift_spans(shift: OnCallShift, start: datetime, end: datetime) -> list[Span]:
    """The instants a weekly shift covers inside ``[start, end)``, across midnight and DST."""
    zone = known_zone(shift.zone)
    if zone is None:  # a zone the admin now refuses, typed before: it covers nothing
        return []
    first: date = start.astimezone(zone).date() - timedelta(days=1)
    last: date = end.astimezone(zone).date()
    spans = []
    day = first
    while day <= last:
        if day.weekday() == shift.weekday:
            begin = datetime.combine(day, shift.start, zone)
            end_day = day if shift.end > shift.start else day + timedelta(days=1)
            finish = datetime.combine(end_day, shift.end, zone)
            spans.append((max(begin, start), min(finish, end)))
        day += timedelta(days=1)
    return _merge(spans)


def _leave_spans(start: datetime, end: datetime) -> dict[int, list[Span]]:
    """Each person's leave inside ``[start, end)`` as instants: whole days in their own zone."""
    out: dict[int, list[Span]] = {}
    first, last = (start - timedelta(days=1)).date(), (end + timedelta(days=1)).date()
    for user_id, zone_name, starts_on, ends_on in Leave.objects.filter(
        starts_on__lte=last, ends_on__gte=first
    ).values_list("user_id", "user__time_zone", "starts_on", "ends_on"):
        zone = zone_or_default(zone_name)
        begin = datetime.combine(starts_on, time(0), zone)
        finish = datetime.combine(ends_on + timedelta(days=1), time(0), zone)
        out.setdefault(user_id, []).append((max(begin, start), min(finish, end)))
    return {user_id: _merge(spans) for user_id, spans in out.items()}


def _present(spans: Iterable[Span], user_id: int, leave: dict[int, list[Span]]) -> list[Span]:
    """``spans`` of one person's on-call time less their leave (a slot on leave is a gap)."""
    return _subtract(_merge(spans), leave.get(user_id, []))


def covered(start: datetime, end: datetime) -> list[Span]:
    """When someone is on call inside ``[start, end)``: the active overrides, and the weekly
    rota's active people wherever no override (active or not) is in force — each less the
    person's leave (decision 0136: someone on leave answers no page)."""
    overrides = outbox.on_call_overrides_between(start, end)
    leave = _leave_spans(start, end)
    any_override = _merge((max(o.starts_at, start), min(o.ends_at, end)) for o in overrides)
    by_override = [
        span
        for o in overrides
        if o.user.is_active
        for span in _present([(max(o.starts_at, start), min(o.ends_at, end))], o.user_id, leave)
    ]
    weekly = [
        span
        for shift in outbox.on_call_shifts()
        if shift.user.is_active
        for span in _present(shift_spans(shift, start, end), shift.user_id, leave)
    ]
    return _merge(_merge(by_override) + _subtract(_merge(weekly), any_override))


def outside_business_hours(start: datetime, end: datetime) -> list[Span]:
    """``[start, end)`` less the opening hours of the current policy's business calendar."""
    policy = sla.current_policy()
    spec = policy.calendars.get(BUSINESS) or next(
        (c for c in policy.calendars.values() if not c.always_open), None
    )
    if spec is None:  # no business calendar at all: every hour needs someone on call
        return [(start, end)]
    cal = sla.business_calendar(policy, spec.slug, start, end)
    return _subtract([(start, end)], business_time.open_intervals(cal, start, end))


def on_call_gaps(*, now: datetime, horizon: timedelta = HORIZON) -> list[Gap]:
    """The gaps in on-call coverage from ``now`` to ``now + horizon``, earliest first."""
    end = now + horizon
    gaps = _subtract(outside_business_hours(now, end), covered(now, end))
    return [Gap(begin.astimezone(UTC), finish.astimezone(UTC)) for begin, finish in gaps]
