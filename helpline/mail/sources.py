"""Where raw messages come from for ``helpline mail ingest``: files, maildirs, mbox files."""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from pathlib import Path

_DIGITS = re.compile(r"(\d+)")


def _natural(path: Path) -> list[tuple[int, str]]:
    """Maildir names start with the delivery time (``1795702380.M30536P…``, microseconds not
    zero-padded): numbers compared as numbers keep the order of arrival."""
    return [(int(part), "") if part.isdigit() else (0, part) for part in _DIGITS.split(path.name)]


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(5) == b"From "


def messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, raw bytes) for each message at ``path``: a maildir (new/ then cur/), an mbox file,
    a directory of message files, or one message file. Raises OSError for what cannot be read."""
    if _is_maildir(path):
        for sub in ("new", "cur"):
            for item in sorted((path / sub).iterdir(), key=_natural):
                if item.is_file():
                    yield f"{path.name}/{sub}/{item.name}", item.read_bytes()
        return
    if path.is_dir():
        for item in sorted(path.iterdir(), key=_natural):
            if item.is_file():
                yield from messages(item)
        return
    if _is_mbox(path):
        box = mailbox.mbox(path, create=False)
        try:
            for index, key in enumerate(box.iterkeys(), start=1):
                yield f"{path.name}#{index}", box.get_bytes(key)
        finally:
            box.close()
        return
    yield path.name, path.read_bytes()
