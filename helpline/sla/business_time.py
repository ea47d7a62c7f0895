"""Business-time arithmetic: pure, exact to the microsecond, and fast.

Rules (docs/policy.md, "Calendars" and "Clocks on a ticket"): a target of N business hours started
at t ends at the instant when N hours of business time have elapsed after t; time outside
business hours does not count; a clock started outside hours starts counting at the next
opening; a deadline that lands exactly on the end of an interval stays there. Holidays are
whole days of the calendar's *local* date. Every datetime must be timezone-aware; results are
returned in UTC.

How it is fast: for each local year a calendar lazily builds (and caches) a sorted array of
that year's business intervals as integer UTC microseconds, with cumulative business time
before and after each interval. "Add N business microseconds" and "business time between"
are then a couple of bisections per year touched; the 24x7 calendar is plain arithmetic.
Nothing here loops over minutes or over days, except building a year's index (~365 days).

No Django, no database: the ``sla`` services turn policy rows into a ``BusinessCalendar``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from fractions import Fraction
from zoneinfo import ZoneInfo

__all__ = [
    "BusinessCalendar",
    "CalendarRangeError",
    "add_business_time",
    "business_time_between",
    "elapsed",
    "is_business_time",
    "lay_out",
    "next_opening",
    "warning_instant",
]

DAY_SECONDS = 86_400
_US = 1_000_000
_DAY_US = DAY_SECONDS * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

Pause = tuple[datetime, datetime | None]


class CalendarRangeError(ValueError):
    """The arithmetic needs a local year for which the calendar holds no holiday data."""

    def __init__(
        self, year: int, first_year: int | None = None, last_year: int | None = None
    ) -> None:
        covered = f" (covered: {first_year}–{last_year})" if first_year is not None else ""
        super().__init__(f"no holiday data for {year}{covered}")
        self.year = year
        self.first_year = first_year
        self.last_year = last_year

    def __reduce__(
        self,
    ) -> tuple[type[CalendarRangeError], tuple[int, int | None, int | None]]:
        return (type(self), (self.year, self.first_year, self.last_year))


@dataclass(frozen=True, slots=True)
class _YearIndex:
    """One local year's business intervals, as UTC microseconds since the epoch."""

    begin: int  # local 1 January 00:00 of the year
    end: int  # local 1 January 00:00 of the next year
    starts: list[int]
    ends: list[int]
    before: list[int]  # business time in the year before starts[i]
    after: list[int]  # business time in the year up to ends[i]

    @property
    def total(self) -> int:
        return self.after[-1] if self.after else 0

    def business_before(self, t: int) -> int:
        """Business time in the year before instant ``t`` (``begin <= t <= end``)."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.before[i] + min(t, self.ends[i]) - self.starts[i]

    def instant_at(self, amount: int) -> int:
        """The first instant by which ``amount`` (0 < amount <= total) has elapsed."""
        j = bisect_left(self.after, amount)  # an exact interval end stays at that end
        return self.starts[j] + amount - self.before[j]


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    """Weekly opening intervals in a zone, minus whole-day holidays, for a range of years.

    ``weekly`` has 7 entries (Monday=0), each a sorted tuple of non-overlapping
    ``(start, end)`` seconds since local midnight. ``always_open`` makes every instant count
    and ignores everything else. The per-year index cache lives in the instance.
    """

    key: str
    zone: ZoneInfo
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date]
    first_year: int
    last_year: int
    always_open: bool = False
    _years: dict[int, _YearIndex] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.zone, tzinfo):
            raise TypeError(f"calendar {self.key!r}: zone must be a ZoneInfo, got {self.zone!r}")
        if not isinstance(self.holidays, frozenset):
            object.__setattr__(self, "holidays", frozenset(self.holidays))
        if self.always_open:
            return
        if len(self.weekly) != 7:
            raise ValueError(
                f"calendar {self.key!r}: weekly needs 7 entries (Monday=0), got {len(self.weekly)}"
            )
        for weekday, day in enumerate(self.weekly):
            previous_end = 0
            for interval in day:
                if len(interval) != 2 or not all(
                    isinstance(s, int) and not isinstance(s, bool) for s in interval
                ):
                    raise ValueError(
                        f"calendar {self.key!r}: weekday {weekday}: interval {interval!r} "
                        "must be a pair of integer seconds"
                    )
                start, end = interval
                if not 0 <= start < end <= DAY_SECONDS:
                    raise ValueError(
                        f"calendar {self.key!r}: weekday {weekday}: interval {interval!r} must "
                        f"satisfy 0 <= start < end <= {DAY_SECONDS}"
                    )
                if start < previous_end:
                    raise ValueError(
                        f"calendar {self.key!r}: weekday {weekday}: interval {interval!r} "
                        "overlaps or precedes the one before it (intervals must be sorted)"
                    )
                previous_end = end
        if self.first_year > self.last_year:
            raise ValueError(
                f"calendar {self.key!r}: first_year {self.first_year} > last_year {self.last_year}"
            )

    def _year(self, year: int) -> _YearIndex:
        index = self._years.get(year)
        if index is None:
            if not self.first_year <= year <= self.last_year:
                raise CalendarRangeError(year, self.first_year, self.last_year)
            index = self._years[year] = self._build_year(year)
        return index

    def _wall_to_us(self, day: date, second: int) -> int:
        """UTC microseconds of local wall time ``second`` on ``day`` (fold=0 if ambiguous)."""
        if second == DAY_SECONDS:
            day, second = day + timedelta(days=1), 0
        hour, rest = divmod(second, 3600)
        wall = datetime(day.year, day.month, day.day, hour, rest // 60, rest % 60)
        offset = self.zone.utcoffset(wall) or timedelta(0)
        return (day.toordinal() - _EPOCH_ORDINAL) * _DAY_US + second * _US - _us(offset)

    def _build_year(self, year: int) -> _YearIndex:
        starts: list[int] = []
        ends: list[int] = []
        day = date(year, 1, 1)
        one_day = timedelta(days=1)
        while day.year == year:
            if day not in self.holidays:
                for start_s, end_s in self.weekly[day.weekday()]:
                    start = self._wall_to_us(day, start_s)
                    end = self._wall_to_us(day, end_s)
                    # a DST gap can map wall times out of order: keep the array monotonic
                    if ends:
                        start = max(start, ends[-1])
                    if end <= start:
                        continue
                    if ends and start == ends[-1]:  # touching intervals become one
                        ends[-1] = end
                    else:
                        starts.append(start)
                        ends.append(end)
            day += one_day
        before: list[int] = []
        after: list[int] = []
        total = 0
        for start, end in zip(starts, ends, strict=True):
            before.append(total)
            total += end - start
            after.append(total)
        begin = self._wall_to_us(date(year, 1, 1), 0)
        year_end = self._wall_to_us(date(year + 1, 1, 1), 0)
        return _YearIndex(begin, year_end, starts, ends, before, after)

    def _local_year(self, t: int) -> int:
        return _from_us(t).astimezone(self.zone).year


# -- conversions --------------------------------------------------------------------------


def _us(delta: timedelta) -> int:
    return (delta.days * DAY_SECONDS + delta.seconds) * _US + delta.microseconds


def _aware(at: datetime, name: str) -> datetime:
    if not isinstance(at, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(at).__name__}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {at.isoformat()}")
    return at


def _instant(at: datetime, name: str = "datetime") -> int:
    return _us(_aware(at, name) - _EPOCH)


def _from_us(t: int) -> datetime:
    return _EPOCH + timedelta(microseconds=t)


def _length(length: timedelta) -> int:
    if not isinstance(length, timedelta):
        raise TypeError(f"length must be a timedelta, got {type(length).__name__}")
    amount = _us(length)
    if amount < 0:
        raise ValueError(f"length must not be negative, got {length}")
    return amount


# -- core arithmetic on integer microseconds ----------------------------------------------


def _add(cal: BusinessCalendar, t: int, amount: int) -> int:
    """The instant at which ``amount`` (> 0) of business time has elapsed after ``t``."""
    if cal.always_open:
        return t + amount
    year = cal._local_year(t)
    while True:
        index = cal._year(year)
        if t < index.end:
            done = index.business_before(max(t, index.begin))
            if done + amount <= index.total:
                return index.instant_at(done + amount)
            amount -= index.total - done
            t = index.end
        year += 1


def _between(cal: BusinessCalendar, t: int, u: int) -> int:
    """Business time in ``[t, u]``; 0 if ``u <= t``."""
    if u <= t:
        return 0
    if cal.always_open:
        return u - t
    total = 0
    year = cal._local_year(t)
    while t < u:
        index = cal._year(year)
        if t < index.end:
            seg_end = min(u, index.end)
            total += index.business_before(seg_end) - index.business_before(max(t, index.begin))
            t = index.end
        year += 1
    return total


def _next_opening(cal: BusinessCalendar, t: int) -> int:
    if cal.always_open:
        return t
    year = cal._local_year(t)
    while True:
        index = cal._year(year)
        i = bisect_right(index.ends, t)  # first interval ending after t
        if i < len(index.ends):
            return max(t, index.starts[i])
        year += 1


def _merged_pauses(start: int, pauses: Sequence[Pause]) -> list[tuple[int, int | None]]:
    """Pauses clipped to ``[start, ...)``, sorted, overlaps merged; ``None`` = still open."""
    spans: list[tuple[int, int | None]] = []
    for begin_at, end_at in pauses:
        begin = _instant(begin_at, "pause start")
        end = None if end_at is None else _instant(end_at, "pause end")
        if end is not None and end < begin:
            raise ValueError(f"pause ends before it begins: {begin_at} .. {end_at}")
        begin = max(begin, start)
        if end is None or end > begin:
            spans.append((begin, end))
    spans.sort(key=lambda span: span[0])
    merged: list[tuple[int, int | None]] = []
    for begin, end in spans:
        if merged:
            last_begin, last_end = merged[-1]
            if last_end is None:
                break  # an open pause swallows everything after it
            if begin <= last_end:
                merged[-1] = (last_begin, None if end is None else max(end, last_end))
                continue
        merged.append((begin, end))
    return merged


def _lay_out(cal: BusinessCalendar, t: int, amount: int, pauses: Sequence[Pause]) -> int | None:
    if amount == 0:
        return t
    if not pauses:
        return _add(cal, t, amount)
    for begin, end in _merged_pauses(t, pauses):
        available = _between(cal, t, begin)
        if available >= amount:
            break
        amount -= available
        if end is None:
            return None
        t = end
    return _add(cal, t, amount)


# -- public interface ---------------------------------------------------------------------


def is_business_time(cal: BusinessCalendar, at: datetime) -> bool:
    """Whether ``at`` is inside an opening interval (start included, end excluded)."""
    t = _instant(at, "at")
    if cal.always_open:
        return True
    index = cal._year(cal._local_year(t))
    i = bisect_right(index.starts, t) - 1
    return i >= 0 and t < index.ends[i]


def next_opening(cal: BusinessCalendar, at: datetime) -> datetime:
    """The first instant at or after ``at`` that is business time (``at`` itself if open)."""
    return _from_us(_next_opening(cal, _instant(at, "at")))


def add_business_time(cal: BusinessCalendar, start: datetime, length: timedelta) -> datetime:
    """The instant at which ``length`` of business time has elapsed after ``start``."""
    t = _instant(start, "start")
    amount = _length(length)
    return _from_us(_add(cal, t, amount) if amount else t)


def business_time_between(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time in ``[start, end]``; ``timedelta(0)`` if ``end <= start``."""
    amount = _between(cal, _instant(start, "start"), _instant(end, "end"))
    return timedelta(microseconds=amount)


def lay_out(
    cal: BusinessCalendar,
    start: datetime,
    length: timedelta,
    pauses: Sequence[Pause] = (),
) -> datetime | None:
    """The deadline of a target of ``length`` started at ``start``, net of ``pauses``.

    Business time inside a pause does not count; pauses may be unsorted, overlap, or begin
    before ``start``. ``None`` if an open pause (end ``None``) begins before the deadline is
    reached: a paused target has no deadline.
    """
    result = _lay_out(cal, _instant(start, "start"), _length(length), pauses)
    return None if result is None else _from_us(result)


def elapsed(
    cal: BusinessCalendar,
    start: datetime,
    until: datetime,
    pauses: Sequence[Pause] = (),
) -> timedelta:
    """Business time in ``[start, until]`` net of the business time inside ``pauses``."""
    t, u = _instant(start, "start"), _instant(until, "until")
    amount = _between(cal, t, u)
    for begin, end in _merged_pauses(t, pauses):
        if begin >= u:
            break
        amount -= _between(cal, begin, u if end is None else min(end, u))
    return timedelta(microseconds=amount)


def warning_instant(
    cal: BusinessCalendar,
    start: datetime,
    length: timedelta,
    pauses: Sequence[Pause] = (),
    fraction: float = 0.75,
) -> datetime | None:
    """``lay_out`` of ``length * fraction``, rounded down to the whole second.

    The fraction is taken as written (0.29 is 29/100, not its binary neighbour).
    """
    share = Fraction(str(fraction))
    if not 0 <= share <= 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    amount = _length(length) * share.numerator // share.denominator
    return lay_out(cal, start, timedelta(seconds=amount // _US), pauses)


def open_intervals(
    cal: BusinessCalendar, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The opening intervals of ``cal`` inside ``[start, end)``, clipped to it, in order
    (what is not in them is outside business hours: on-call coverage reads it)."""
    t, u = _instant(start, "start"), _instant(end, "end")
    if u <= t:
        return []
    if cal.always_open:
        return [(_from_us(t), _from_us(u))]
    out: list[tuple[datetime, datetime]] = []
    year = cal._local_year(t)
    while True:
        index = cal._year(year)
        first = bisect_right(index.ends, t)  # the first interval ending after t
        for begin, finish in zip(index.starts[first:], index.ends[first:], strict=True):
            if begin >= u:
                return out
            out.append((_from_us(max(begin, t)), _from_us(min(finish, u))))
        if index.end >= u:
            return out
        year += 1
