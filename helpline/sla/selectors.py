"""Reads of the policy: the current version, a version by id, and business calendars.

Policy versions are immutable, so they are cached by id for the life of the process. A business
calendar is cached by (version, calendar, holiday revision, years): one small query per call
checks the holiday revision, so an admin's holiday edit is seen at once by every process.
Inside ``read_once()`` (a service's transaction) the latest version and every calendar's
revision are read together, once: one query instead of one per call.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from zoneinfo import ZoneInfo

import holidays as holidays_pkg
from django.db.models import Subquery

from helpline.core.errors import InvalidInput, NotFound
from helpline.core.prepared import Prepared
from helpline.sla.business_time import BusinessCalendar
from helpline.sla.models import Calendar, Holiday, HolidayYear, PolicyVersion
from helpline.sla.policy import Policy

# The 24×7 calendar has no holidays: any year a datetime can hold is fine.
ALWAYS_FIRST_YEAR = 1
ALWAYS_LAST_YEAR = 9998
# A calendar is built for the years around the instant it is asked about: the year before (a
# local date may still be in it) and two after (an 80-business-hour target laid out late in
# December, or a long pause, runs into them).
YEARS_BEFORE = 1
YEARS_AFTER = 2


@functools.lru_cache(maxsize=256)
def _policy_from_row(version_id: int) -> Policy:
    row = PolicyVersion.objects.get(pk=version_id)
    return Policy.from_snapshot(row.pk, row.number, row.snapshot)


# Every ticket write reads these (``read_once``), hence a Prepared read.
_calendars_and_latest: Prepared[tuple[str, int, int, int | None]] = Prepared(
    lambda: Calendar.objects.annotate(
        latest=Subquery(PolicyVersion.objects.order_by("-number").values("pk")[:1])
    ).values_list("slug", "pk", "holidays_revision", "latest")
)


class _Reads:
    """What ``read_once`` remembers: the latest version id and (id, revision) per calendar."""

    def __init__(self) -> None:
        self.loaded = False
        self.version_id: int | None = None
        self.calendars: dict[str, tuple[int, int]] = {}

    def load(self) -> _Reads:
        if not self.loaded:
            for slug, pk, revision, version_id in _calendars_and_latest():
                self.calendars[slug] = (pk, revision)
                self.version_id = version_id
            if not self.calendars:  # no calendar rows: the version on its own
                self.version_id = _latest_version_id()
            self.loaded = True
        return self


_reads: ContextVar[_Reads | None] = ContextVar("sla_reads", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """Within: the current policy and the calendars' holiday revisions are read once.

    For one service call inside its transaction (nothing it does changes them); a holiday edit
    elsewhere is seen by the next call. Nested uses share the outer one's reads.
    """
    if _reads.get() is not None:
        yield
        return
    token = _reads.set(_Reads())
    try:
        yield
    finally:
        _reads.reset(token)


def _latest_version_id() -> int | None:
    return PolicyVersion.objects.order_by("-number").values_list("pk", flat=True).first()


def current_policy() -> Policy:
    reads = _reads.get()
    version_id = reads.load().version_id if reads is not None else _latest_version_id()
    if version_id is None:
        raise NotFound("no support policy has been published yet (run helpline migrate)")
    return _policy_from_row(version_id)


def policy_version(version_id: int) -> Policy:
    return _policy_from_row(version_id)


@functools.lru_cache(maxsize=512)
def package_holidays(country: str, subdivision: str, year: int) -> dict[date, str]:
    if not country:
        return {}
    found = holidays_pkg.country_holidays(country, subdiv=subdivision or None, years=year)
    return {day: str(name) for day, name in sorted(found.items())}


def holiday_on(*, calendar: Calendar, day: date) -> Holiday:
    """The holiday row of ``calendar`` on ``day`` (the admin reads back the one it saved)."""
    return Holiday.objects.get(calendar=calendar, date=day)


def holidays_for_years(
    calendar_id: int, country: str, subdivision: str, years: range
) -> dict[date, str]:
    """Holiday rows for seeded years; the package's dates (read-only) for years never seeded."""
    seeded = set(
        HolidayYear.objects.filter(calendar_id=calendar_id, year__in=list(years)).values_list(
            "year", flat=True
        )
    )
    result: dict[date, str] = {}
    if seeded:
        rows = Holiday.objects.filter(
            calendar_id=calendar_id,
            date__gte=date(min(seeded), 1, 1),
            date__lte=date(max(seeded), 12, 31),
        ).values_list("date", "name")
        result.update({d: n for d, n in rows if d.year in seeded})
    for year in years:
        if year not in seeded:
            result.update(package_holidays(country, subdivision, year))
    return result


@functools.lru_cache(maxsize=64)
def package_coverage(country: str, subdivision: str) -> tuple[int, int]:
    """The years for which the holiday package has *complete* dates for this country.

    India's lunar holidays (Diwali, Eid, Holi…) come from tables that end earlier than the
    country's nominal range; the package says so in a warning ("available only from 2001 to
    2035"), which is the range we can promise deadlines in.
    """
    import re
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        entity = holidays_pkg.country_holidays(country, subdiv=subdivision or None)
        entity.get(date(2000, 1, 1))  # populate a year so that range warnings fire
        for year in range(entity.start_year, entity.end_year + 1, 10):
            entity.get(date(year, 1, 1))
    first, last = int(entity.start_year), int(entity.end_year)
    for warning in caught:
        found = re.search(r"from (\d{4}) to (\d{4})", str(warning.message))
        if found:
            first, last = max(first, int(found[1])), min(last, int(found[2]))
    return first, last


def covered_years(country: str, subdivision: str, earliest: int, latest: int) -> range:
    """The years a calendar is built for, to cover instants in [earliest, latest]."""
    first_ok, last_ok = (
        package_coverage(country, subdivision) if country else (ALWAYS_FIRST_YEAR, ALWAYS_LAST_YEAR)
    )
    for year in (earliest, latest):
        if year < first_ok or year > last_ok:
            raise InvalidInput(
                f"no holiday data for {year}: the holiday source covers {first_ok}–{last_ok}",
                code="year_not_covered",
            )
    first = max(first_ok, earliest - YEARS_BEFORE)
    last = min(last_ok, latest + YEARS_AFTER)
    return range(first, last + 1)


def business_calendar(policy: Policy, slug: str, *instants: datetime) -> BusinessCalendar:
    """The calendar ``slug`` of ``policy`` with today's holiday rows, for the years around
    ``instants`` (the year before the earliest through two after the latest)."""
    spec = policy.calendars[slug]
    if spec.always_open:
        return _always_open(policy.version_id, slug, spec.zone)
    zone = ZoneInfo(spec.zone)
    reads = _reads.get()
    row = (
        reads.load().calendars.get(slug)
        if reads is not None
        else Calendar.objects.filter(slug=slug).values_list("pk", "holidays_revision").first()
    )
    if row is None:
        raise NotFound(f"calendar {slug!r} no longer exists")
    local_years = [i.astimezone(zone).year for i in instants]
    years = covered_years(spec.country, spec.subdivision, min(local_years), max(local_years))
    return _business_calendar(policy.version_id, slug, row[0], row[1], years.start, years.stop - 1)


def clear_caches() -> None:
    """Forget cached versions and calendars (tests roll the database back under them)."""
    _policy_from_row.cache_clear()
    _business_calendar.cache_clear()
    _always_open.cache_clear()
    package_coverage.cache_clear()


@functools.lru_cache(maxsize=64)
def _always_open(version_id: int, slug: str, zone: str) -> BusinessCalendar:
    return BusinessCalendar(
        key=f"{slug}@v{version_id}",
        zone=ZoneInfo(zone),
        weekly=((),) * 7,
        holidays=frozenset(),
        first_year=ALWAYS_FIRST_YEAR,
        last_year=ALWAYS_LAST_YEAR,
        always_open=True,
    )


@functools.lru_cache(maxsize=256)
def _business_calendar(
    version_id: int, slug: str, calendar_id: int, revision: int, first_year: int, last_year: int
) -> BusinessCalendar:
    spec = policy_version(version_id).calendars[slug]
    days = holidays_for_years(
        calendar_id, spec.country, spec.subdivision, range(first_year, last_year + 1)
    )
    return BusinessCalendar(
        key=f"{slug}@v{version_id}#h{revision}:{first_year}-{last_year}",
        zone=ZoneInfo(spec.zone),
        weekly=spec.weekly,
        holidays=frozenset(days),
        first_year=first_year,
        last_year=last_year,
    )
