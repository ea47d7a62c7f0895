"""Cells a spreadsheet will not run: text that starts like a formula (=, +, -, @, tab, CR — a
ticket subject or a store name is merchant text) gets a leading apostrophe, so opening a CSV or
XLSX export never runs anything."""

from __future__ import annotations

from typing import TypeVar

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T")


def formula_safe(value: T) -> T | str:
    """``value`` as a spreadsheet should get it: text that would start a formula behind an
    apostrophe; anything else (numbers, dates, other text) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
