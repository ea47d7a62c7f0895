"""TNEF (winmail.dat, application/ms-tnef): the files Outlook wrapped inside, and its body.

Decoding is `tnefparse`'s (pure Python, no dependencies); this module turns its objects into
plain (name, content type, bytes) triples and turns every failure into TnefError, so the caller
can keep the winmail.dat itself and record why.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, field

__all__ = ["TnefContent", "TnefError", "extract"]

MAX_TNEF_BYTES = 50_000_000


class TnefError(Exception):
    pass


@dataclass
class TnefContent:
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    body_text: str | None = None
    body_html: str | None = None
    defects: list[str] = field(default_factory=list)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        for codec in ("utf-8", "cp1252"):
            try:
                return value.decode(codec)
            except UnicodeDecodeError:
                continue
        return value.decode("latin-1")
    return str(value)


def extract(data: bytes) -> TnefContent:
    """Files and body of a TNEF blob. Raises TnefError when it is not TNEF or is unreadable."""
    if len(data) > MAX_TNEF_BYTES:
        raise TnefError(f"larger than {MAX_TNEF_BYTES} bytes")
    try:
        import tnefparse
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise TnefError("tnefparse is not installed") from exc
    # tnefparse logs every attribute it does not know at WARNING; they are not our problems.
    logging.getLogger("tnefparse").setLevel(logging.ERROR)
    try:
        tnef = tnefparse.TNEF(data)
    except Exception as exc:
        raise TnefError(f"{type(exc).__name__}: {str(exc)[:120]}") from exc
    content = TnefContent()
    for index, attachment in enumerate(getattr(tnef, "attachments", []) or [], start=1):
        try:
            name = _text(attachment.long_filename()) or _text(attachment.name) or ""
            payload = attachment.data
        except Exception as exc:
            content.defects.append(f"attachment {index} unreadable ({type(exc).__name__})")
            continue
        name = name.rstrip("\x00").strip()
        if not isinstance(payload, bytes):
            payload = bytes(payload or b"")
        ctype = mimetypes.guess_type(name)[0] if name else None
        content.files.append((name, ctype or "application/octet-stream", payload))
    content.body_text = _text(getattr(tnef, "body", None))
    content.body_html = _text(getattr(tnef, "htmlbody", None))
    return content
