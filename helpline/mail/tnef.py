"""TNEF (winmail.dat, application/ms-tnef): the files Outlook wrapped inside, and its body.

Decoding is `tnefparse`'s (pure Python; `compressed_rtf` decompresses the RTF body and
`striprtf` turns it into text when there is no other body). This module turns their objects into
plain (name, content type, bytes) triples and every failure into TnefError, so the caller can
keep the winmail.dat itself and record why.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, field

__all__ = ["TnefContent", "TnefError", "extract"]

MAX_TNEF_BYTES = 50_000_000
MAX_RTF_TO_TEXT = 2_000_000


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
    _rtf_body(tnef, content)
    return content


def _rtf_body(tnef: object, content: TnefContent) -> None:
    """Outlook's rich-text body: kept as body.rtf (MimeKit's name for it), and turned into the
    plain text body when the TNEF carries no other body, so the message is never empty."""
    try:
        rtf = tnef.rtfbody  # type: ignore[attr-defined]  # decompressed by compressed_rtf
    except Exception as exc:
        content.defects.append(f"RTF body unreadable ({type(exc).__name__})")
        return
    if not rtf:
        return
    if isinstance(rtf, str):
        rtf = rtf.encode("latin-1", "replace")
    if not rtf.lstrip().startswith(b"{\\rtf"):
        content.defects.append("RTF body still compressed; kept as body.rtf only")
        content.files.append(("body.rtf", "application/rtf", bytes(rtf)))
        return
    content.files.append(("body.rtf", "application/rtf", bytes(rtf)))
    if content.body_text or content.body_html:
        return
    if len(rtf) > MAX_RTF_TO_TEXT:
        content.defects.append("RTF body too large to convert to text; kept as body.rtf")
        return
    try:
        from striprtf.striprtf import rtf_to_text

        text = rtf_to_text(rtf.decode("latin-1"), errors="replace")
    except Exception as exc:
        content.defects.append(f"RTF body not convertible to text ({type(exc).__name__})")
        return
    content.body_text = text.replace("\x00", "").strip() or None
