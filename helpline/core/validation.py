"""Small checks every door (API, mail, CLI) applies to untrusted input before it reaches a
database: text without NUL characters (text people type without any control character), ids
that fit a 64-bit column, instants a database can store."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

MAX_ID = 2**63 - 1
# Instants outside these years are refused at the door: PostgreSQL and SQLite store them, but
# nothing in a support desk is due before the Unix epoch or after the year 2999.
FIRST_YEAR = 1970
LAST_YEAR = 2999


def has_nul(value: Any) -> bool:
    """True if ``value`` (or any string inside a list/dict) holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


# C0 and C1 control characters and DEL, tab, newline and carriage return aside: no person types
# them, a spreadsheet cannot hold them, a terminal may obey them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control(value: Any) -> bool:
    """True if ``value`` (or any string inside a list/dict) holds a control character other
    than tab, newline and carriage return (NUL included)."""
    if isinstance(value, str):
        return CONTROL.search(value) is not None
    if isinstance(value, Mapping):
        return any(has_control(k) or has_control(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_control(v) for v in value)
    return False


def id_in_range(value: int) -> bool:
    return 1 <= value <= MAX_ID


def bounded_instant(value: datetime) -> datetime:
    """The instant in UTC; ValueError if it has no UTC value a database can store."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}") from None
    if not FIRST_YEAR <= utc.year <= LAST_YEAR:
        raise ValueError(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}")
    return utc
