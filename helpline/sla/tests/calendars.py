"""Calendars for the pure clock tests, built from ``helpline.sla.defaults``.

The business-in calendar is Mon–Fri 10:00–18:00 Asia/Kolkata with the ``holidays`` package's
IN holidays (no subdivision, default category) for the years loaded; ``first_year`` and
``last_year`` are exactly those years.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from helpline.sla import defaults
from helpline.sla.business_time import BusinessCalendar

Interval = tuple[int, int]


def seconds(hhmm: str) -> int:
    """'10:00' -> 36000; '24:00' -> 86400."""
    hours, minutes = hhmm.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def spec(slug: str) -> dict[str, object]:
    return next(c for c in defaults.CALENDARS if c["slug"] == slug)


def weekly_from(intervals: Iterable[tuple[int, str, str]]) -> tuple[tuple[Interval, ...], ...]:
    days: list[list[Interval]] = [[] for _ in range(7)]
    for weekday, start, end in intervals:
        days[weekday].append((seconds(start), seconds(end)))
    return tuple(tuple(sorted(day)) for day in days)


@cache
def country_holidays(country: str, years: tuple[int, ...]) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=years).keys())


def from_defaults(
    slug: str,
    years: range = range(2026, 2030),
    *,
    add: Iterable[date] = (),
    remove: Iterable[date] = (),
    key: str | None = None,
) -> BusinessCalendar:
    """The default calendar ``slug`` with holiday data for ``years`` (edited by add/remove)."""
    s = spec(slug)
    intervals = s["intervals"]
    assert isinstance(intervals, list)
    country = str(s["country"])
    days = country_holidays(country, tuple(years)) if country else frozenset()
    days = (days | frozenset(add)) - frozenset(remove)
    return BusinessCalendar(
        key=key or f"{slug}@test",
        zone=ZoneInfo(str(s["zone"])),
        weekly=weekly_from(intervals),
        holidays=days,
        first_year=years[0],
        last_year=years[-1],
        always_open=bool(s["always_open"]),
    )


def business_in(
    years: range = range(2026, 2030), *, add: Iterable[date] = (), remove: Iterable[date] = ()
) -> BusinessCalendar:
    return from_defaults(defaults.BUSINESS, years, add=add, remove=remove)


def always() -> BusinessCalendar:
    return from_defaults(defaults.ALWAYS)


def custom(
    zone: str,
    day: Iterable[tuple[str, str]],
    *,
    weekdays: Iterable[int] = range(5),
    holidays_: Iterable[date] = (),
    years: range = range(2026, 2030),
    key: str = "custom@test",
) -> BusinessCalendar:
    """Same intervals on each of ``weekdays``, e.g. a lunch-break or a Berlin calendar."""
    intervals = [(w, start, end) for w in weekdays for start, end in day]
    return BusinessCalendar(
        key=key,
        zone=ZoneInfo(zone),
        weekly=weekly_from(intervals),
        holidays=frozenset(holidays_),
        first_year=years[0],
        last_year=years[-1],
    )


@dataclass(frozen=True)
class Target:
    issue_type: str
    priority: str
    kind: str
    length: timedelta
    calendar: str  # slug of defaults.CALENDARS


def targets() -> list[Target]:
    """Every (issue type, priority, kind) of defaults.py, overrides applied.

    An override replaces the length and keeps the priority's calendar (docs/policy.md).
    """
    overrides = {(t, p, k): minutes for t, p, k, minutes in defaults.OVERRIDES}
    found = []
    for issue_type, *_ in defaults.ISSUE_TYPES:
        for priority, kinds in defaults.TARGETS.items():
            for kind, (minutes, calendar, _goal) in kinds.items():
                minutes = overrides.get((issue_type, priority, kind), minutes)
                found.append(
                    Target(issue_type, priority, kind, timedelta(minutes=minutes), calendar)
                )
    return found


def target(issue_type: str, priority: str, kind: str) -> Target:
    return next(
        t for t in targets() if (t.issue_type, t.priority, t.kind) == (issue_type, priority, kind)
    )


@cache
def by_slug(slug: str) -> BusinessCalendar:
    """One shared instance per default calendar (so its year index is built once)."""
    return from_defaults(slug)
