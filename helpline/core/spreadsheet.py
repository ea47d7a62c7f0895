"""Cells a spreadsheet will not run, and will open: text that starts like a formula (=, +, -, @,
tab, CR — a ticket subject or a store name is merchant text — or such a character behind a
separator a spreadsheet may split on, ``;=…``) gets a leading apostrophe, so opening a CSV or
XLSX export never runs anything; control characters (tab, newline and CR aside) are removed,
since XLSX cannot hold them and no person typed them."""

from __future__ import annotations

from typing import TypeVar

from helpline.core.validation import CONTROL

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Separators Excel and LibreOffice may split a CSV line on, and spaces before them.
SEPARATORS = " ;,|"

T = TypeVar("T")


def formula_safe(value: T) -> T | str:
    """``value`` as a spreadsheet should get it: text without control characters, behind an
    apostrophe if it would start a formula; anything else (numbers, dates) unchanged."""
    if not isinstance(value, str):
        return value
    text = CONTROL.sub("", value)
    if text.startswith(FORMULA_START) or text.lstrip(SEPARATORS).startswith(FORMULA_START[:4]):
        return "'" + text
    return text
