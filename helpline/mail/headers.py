"""A message's headers read from their raw values: Message-IDs, addresses, the date; problems
are named in ``defects``."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime
from email.message import Message

from helpline.mail.charsets import decode_words, normalise_space, unescape_8bit

_MSGID = re.compile(r"<([^<>\s]{1,998})>")


def message_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    found = _MSGID.findall(value)
    if not found:
        found = [w.strip("<>,;") for w in value.split() if "@" in w]
    seen: dict[str, None] = {}
    for item in found[:200]:
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def addresses(values: list[str], defects: list[str], where: str) -> list[tuple[str, str]]:
    if not values:
        return []
    cleaned = [unescape_8bit(v, defects, where) for v in values]
    try:
        pairs = email.utils.getaddresses(cleaned)
    except Exception:
        defects.append(f"{where}: unparseable addresses")
        return []
    out = []
    for name, addr in pairs:
        addr = addr.strip().strip("<>").lower()
        if "@" not in addr or " " in addr:
            if addr or name:
                defects.append(f"{where}: not an address {(name or addr)[:80]!r}")
            continue
        out.append((normalise_space(decode_words(name, defects, where)), addr))
    return out


def header_date(value: str | None, defects: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append(f"date: unparseable {value[:80]!r}")
        return None
    if parsed.tzinfo is None:  # "-0000": the sender does not know its zone; UTC is the rule
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        defects.append(f"date: out of range {value[:80]!r}")
        return None


class Headers:
    """The raw header values of one message, by lower-case name."""

    def __init__(self, msg: Message) -> None:
        self.values: dict[str, list[str]] = {}
        try:
            items = list(msg.raw_items())
        except Exception:
            items = []
        for name, value in items:
            self.values.setdefault(str(name).strip().lower(), []).append(str(value))

    def first(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])
