"""TNEF (winmail.dat, application/ms-tnef): the files Outlook wrapped inside, and its body.

Decoding is `tnefparse`'s (pure Python; `compressed_rtf` decompresses the RTF body and
`striprtf` turns it into text when there is no other body). This module turns their objects into
plain (name, content type, bytes) triples and every failure into TnefError, so the caller can
keep the winmail.dat itself and record why.
"""

from __future__ import annotations

import logging
import mimetypes
import struct
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
    exact = _mapi_attachment_data(data)
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
        payload = _exact(payload, exact[index - 1] if index <= len(exact) else None)
        ctype = mimetypes.guess_type(name)[0] if name else None
        content.files.append((name, ctype or "application/octet-stream", payload))
    content.body_text = _text(getattr(tnef, "body", None))
    content.body_html = _text(getattr(tnef, "htmlbody", None))
    _rtf_body(tnef, content)
    return content


# tnefparse strips trailing NUL bytes from every binary MAPI value, which cuts the zero padding off
# the end of OLE documents (a .doc came out 418 bytes short). The attachment data held in MAPI
# properties (PR_ATTACH_DATA_BIN/OBJ) is read again here with its exact length.
_FIXED_SIZES = {0x2: 4, 0xB: 4, 0x3: 4, 0x4: 4, 0xA: 4, 0x5: 8, 0x6: 8, 0x7: 8, 0x14: 8, 0x40: 8}
_FIXED_SIZES[0x48] = 16
_VARIABLE_TYPES = frozenset({0x1E, 0x1F, 0x102, 0xD})
_ATT_ATTACH_RENDDATA = 0x9002
_ATT_ATTACHMENT = 0x9005
_PR_ATTACH_DATA = 0x3701
_IMESSAGE_SIG = b"\x07\x03\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"


def _mapi_attachment_data(data: bytes) -> list[bytes | None]:
    """The exact PR_ATTACH_DATA value of each attachment (in order), None where there is none."""
    found: list[bytes | None] = []
    pos = 6  # signature (4) and key (2)
    try:
        while pos + 9 <= len(data):
            level = data[pos]
            (attribute, length) = struct.unpack_from("<II", data, pos + 1)
            body = data[pos + 9 : pos + 9 + length]
            pos += 9 + length + 2
            if level != 2:
                continue
            if attribute & 0xFFFF == _ATT_ATTACH_RENDDATA:
                found.append(None)
            elif attribute & 0xFFFF == _ATT_ATTACHMENT and found:
                value = _attach_data_property(body)
                if value is not None:
                    found[-1] = value
    except (struct.error, ValueError, IndexError):
        pass  # what was read so far stands; the rest keeps tnefparse's data
    return found


def _attach_data_property(buf: bytes) -> bytes | None:
    (count,) = struct.unpack_from("<I", buf, 0)
    off = 4
    for _ in range(min(count, 10_000)):
        ptype, pid = struct.unpack_from("<HH", buf, off)
        off += 4
        if pid >= 0x8000:  # named property: GUID, kind, then an id or a name
            (kind,) = struct.unpack_from("<I", buf, off + 16)
            off += 20
            if kind == 0:
                off += 4
            else:
                (size,) = struct.unpack_from("<I", buf, off)
                off += 4 + size + (-size % 4)
        base = ptype & 0x0FFF
        if base in _VARIABLE_TYPES:
            (values,) = struct.unpack_from("<I", buf, off)
            off += 4
            for _ in range(min(values, 10_000)):
                (size,) = struct.unpack_from("<I", buf, off)
                off += 4
                if off + size > len(buf):
                    raise ValueError("value runs past the attribute")
                if pid == _PR_ATTACH_DATA:
                    value = buf[off : off + size]
                    if base == 0xD:  # an object: a 16-byte interface id first
                        return value[16:] if value.startswith(_IMESSAGE_SIG) else value
                    return value
                off += size + (-size % 4)
        elif base in _FIXED_SIZES:
            values = 1
            if ptype & 0x1000:
                (values,) = struct.unpack_from("<I", buf, off)
                off += 4
            off += _FIXED_SIZES[base] * min(values, 10_000)
        else:
            raise ValueError(f"unknown MAPI type {ptype:#x}")
    return None


def _exact(payload: bytes, exact: bytes | None) -> bytes:
    """tnefparse's bytes, or the exact ones when they are the same content with its NULs."""
    same = exact is not None and exact.rstrip(b"\x00") == payload.rstrip(b"\x00")
    return exact if exact is not None and same and len(exact) > len(payload) else payload


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
