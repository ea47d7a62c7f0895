"""Times and amounts written for a person: the one way Helpline writes an instant or a sum of
money that somebody reads (pages, htmx fragments, mail, WhatsApp, export cells, the admin).

- ``when(at, zone)``: "Tue 8 Dec 2026, 18:00 IST" — the instant in the reader's zone, the zone
  named by its abbreviation, or by its offset when it has none ("UTC+04:00").
- ``relative(at, now)``: "in 2 h 15 min", "3 d ago", "now" — beside a time where it helps;
  ``duration(delta)``: "1 h 20 min" (countdowns, targets, how long something took).
- ``money(amount, currency)``: "₹5,900.00", "₹1,00,000.00" (Indian grouping for INR), never a
  lower-cased currency code; ``with_gst(total, gst)``: "₹5,900.00 incl. GST ₹900.00".
- ``zone_name(zone)``: the IANA name a page says its times are in ("Times in Asia/Kolkata").

Machines get ISO 8601 (the API, the ``datetime`` attribute of ``<time>``); people get these.
Sits in ``core`` so that every layer (outbox payloads, notifications, reports, web) uses it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from helpline.core import zones

# What a value may look like on its way in: a datetime, an ISO 8601 string (event payloads keep
# instants that way), or nothing.
Instant = datetime | str | None
ZoneLike = tzinfo | str | None

SYMBOLS = {"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£"}
_OFFSET_ABBREVIATION = re.compile(r"^[+-]\d")


def zone_of(zone: ZoneLike) -> tzinfo:
    """``zone`` as a tzinfo; a name that is empty or unknown is the installation's zone."""
    if isinstance(zone, tzinfo):
        return zone
    return zones.zone_or_default(zone)


def here() -> tzinfo:
    """The zone activated for this request (the reader's; see ``web.zone``), else UTC."""
    return timezone.get_current_timezone()


def zone_name(zone: ZoneLike) -> str:
    """The name people are told their times are in: the IANA name ("Europe/London")."""
    return str(zone_of(zone))


def instant(value: Instant) -> datetime | None:
    """``value`` as an aware datetime (an ISO string is parsed; a naive one is taken as UTC);
    None for nothing or for text that is no instant."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def abbreviation(local: datetime) -> str:
    """The zone of an aware local time as people name it: "IST", "GMT", "BST", "UTC"; a zone
    whose rules give only an offset ("+04") is named "UTC+04:00"."""
    name = local.tzname() or ""
    if name and not _OFFSET_ABBREVIATION.match(name):
        return name
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def day(value: date) -> str:
    """A calendar day: "Tue 8 Dec 2026"."""
    return f"{value:%a} {value.day} {value:%b %Y}"


def when(value: Instant, zone: ZoneLike, *, missing: str = "") -> str:
    """ "Tue 8 Dec 2026, 18:00 IST": ``value`` in ``zone``, the zone named."""
    at = instant(value)
    if at is None:
        return missing if value in (None, "") else str(value)
    local = at.astimezone(zone_of(zone))
    return f"{day(local.date())}, {local:%H:%M} {abbreviation(local)}"


def duration(delta: timedelta) -> str:
    """A length of time: "1 d 2 h", "1 h 20 min", "5 min", "under a minute"."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min" if mins else "under a minute"


def relative(value: Instant, now: datetime) -> str:
    """ "in 2 h 15 min", "3 d ago", "now" (within a minute either way)."""
    at = instant(value)
    if at is None:
        return ""
    seconds = int((at - now).total_seconds())
    if abs(seconds) < 60:
        return "now"
    span = duration(timedelta(seconds=seconds))
    return f"in {span}" if seconds > 0 else f"{span} ago"


def when_relative(value: Instant, zone: ZoneLike, now: datetime) -> str:
    """ "Tue 8 Dec 2026, 18:00 IST (in 2 h 15 min)"."""
    written = when(value, zone)
    near = relative(value, now)
    return f"{written} ({near})" if written and near else written


def _grouped(whole: str, indian: bool) -> str:
    if not indian or len(whole) <= 3:
        return f"{int(whole):,}"
    head, tail = whole[:-3], whole[-3:]
    pairs: list[str] = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *pairs, tail])


def money(amount: Any, currency: str = "INR") -> str:
    """ "₹5,900.00", "₹1,00,000.00", "$1,250.50", "CHF 12.00": two decimals, the currency's
    symbol (else its upper-case code), Indian digit grouping for INR."""
    code = (currency or "INR").upper()
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return f"{code} {amount}"
    sign = "-" if value < 0 else ""
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    digits = f"{_grouped(whole, code == 'INR')}.{cents}"
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{code} {digits}"


def with_gst(total: Any, gst: Any, currency: str = "INR") -> str:
    """ "₹5,900.00 incl. GST ₹900.00": what is billed, and the tax in it."""
    return f"{money(total, currency)} incl. GST {money(gst, currency)}"
