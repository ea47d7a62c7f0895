"""Inbound mail parsing: raw RFC 5322 bytes → ParsedMessage. Pure: no models, no database.

`parse()` never raises. Whatever it could not decode cleanly is decoded best-effort and named
in `defects`, so nothing a merchant wrote is silently dropped (house rule 9).

The MIME structure is read by the stdlib parser with the compat32 policy (policy.default when
compat32 fails on a message): policy.default re-parses a header into an object on every access
and made parsing ten times slower (docs/decisions/0011-mail-parsing.md). Headers and bodies are
decoded here from their raw values — RFC 2047 words and 8-bit bytes through the same charset
fallback as bodies — so the defects of each are recorded instead of raised.
"""

from __future__ import annotations

import codecs
import dataclasses
import email
import email.header
import email.policy
import email.utils
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from types import MappingProxyType

from helpline.mail.autoreply import detect_auto
from helpline.mail.htmltext import html_to_text
from helpline.mail.quoting import extract_new_text

__all__ = ["Attachment", "ParsedMessage", "decode_bytes", "html_to_text", "parse"]

# Bounds that keep a hostile message from costing more than a few milliseconds.
MAX_PARTS = 500  # MIME leaves looked at; the rest is named in defects
MAX_DEPTH = 30  # nesting of multiparts
KEPT_HEADERS = (
    "message-id",
    "in-reply-to",
    "references",
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "subject",
    "date",
    "auto-submitted",
    "precedence",
    "list-id",
    "return-path",
    "content-type",
)


@dataclass(frozen=True)
class Attachment:
    filename: str  # sanitised (no path parts), never empty ("attachment-1.bin")
    content_type: str
    data: bytes
    inline: bool  # inline image (Content-Disposition inline / referenced by cid)
    content_id: str | None  # without <>
    source: str = "mime"  # "mime" | "tnef" | "message/rfc822"


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str | None  # without <>, as sent (case kept)
    in_reply_to: tuple[str, ...]  # without <>
    references: tuple[str, ...]
    from_address: str  # lower-cased addr-spec, "" if none/unparseable
    from_name: str
    reply_to: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str  # RFC 2047 decoded, whitespace-normalised
    date: datetime | None  # aware, UTC
    text: str  # plain text body (derived from HTML when there is no text part)
    html: str | None  # raw HTML (unsanitised; sanitising is the display layer's job)
    new_text: str  # the new part of a reply, quoted history and signature removed
    attachments: tuple[Attachment, ...]
    auto: str | None  # None for a human message, else why it is automatic (see autoreply.py)
    defects: tuple[str, ...]  # every problem met while decoding
    headers: Mapping[str, str]  # a few raw headers kept for the record (lower-case keys)


# --------------------------------------------------------------------------------------------
# Charsets

_CHARSET_ALIASES = {
    "": "ascii",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "unknown-8bit": "",
    "x-unknown": "",
    "unknown": "",
    "default": "",
    "iso-8859-8-i": "iso-8859-8",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",  # GB18030 is a superset that real senders rely on
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "windows-874": "cp874",
    "x-mac-roman": "mac_roman",
    "utf8": "utf-8",
}


@functools.lru_cache(maxsize=64)
def _single_byte(codec: str) -> bool:
    """ASCII, Latin-1, cp1252, KOI8-R, ISO-8859-x …: one byte, one character. Text declared in one
    of these that is valid UTF-8 with non-ASCII bytes is UTF-8 (mail clients and form mailers that
    label everything Latin-1); real single-byte text is almost never valid UTF-8 by chance."""
    if codec == "ascii":
        return True
    if codec.startswith("utf"):
        return False
    try:
        return len(bytes(range(128, 256)).decode(codec, "replace")) == 128
    except Exception:
        return False


def _codec(charset: str) -> str | None:
    name = charset.strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None, defects: list[str], where: str) -> str:
    """Decode `data` declared as `charset`; never fails. Whatever was not clean goes to defects."""
    declared = (charset or "").strip().strip("\"'")
    if data.isascii():
        return data.decode("ascii")
    codec = _codec(declared) if declared else None
    if declared and codec is None:
        defects.append(f"{where}: unknown charset {declared!r}")
    if codec is not None:
        if _single_byte(codec):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                if codec != "ascii":
                    defects.append(f"{where}: declared {declared} but the content is UTF-8")
                else:
                    defects.append(f"{where}: declared us-ascii but has 8-bit UTF-8 content")
                return text
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            defects.append(f"{where}: content does not match its charset {declared!r}")
        except Exception:  # a codec that fails in its own way (utf-7 on junk, …)
            defects.append(f"{where}: content does not match its charset {declared!r}")
    elif not declared:
        defects.append(f"{where}: 8-bit content without a charset")
    for fallback in ("utf-8", "cp1252"):
        try:
            return data.decode(fallback)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _unescape_8bit(value: str, defects: list[str], where: str) -> str:
    """Header values with raw 8-bit bytes come out of the parser as surrogate escapes."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogateescape")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            defects.append(f"{where}: 8-bit header that is not UTF-8")
            return raw.decode("cp1252", "replace")
    return value


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def _decode_words(value: str, defects: list[str], where: str) -> str:
    """RFC 2047 encoded words, decoded with the same charset fallback as bodies."""
    value = _unescape_8bit(value, defects, where)
    if "=?" not in value or not _ENCODED_WORD.search(value):
        return value
    try:
        chunks = email.header.decode_header(value)
    except Exception:
        defects.append(f"{where}: broken encoded word")
        return value
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(decode_bytes(chunk, charset or "utf-8", defects, where))
    return "".join(out)


def _normalise_space(value: str) -> str:
    return " ".join(value.split())


# --------------------------------------------------------------------------------------------
# Headers

_MSGID = re.compile(r"<([^<>\s]{1,998})>")


def _ids(value: str | None) -> tuple[str, ...]:
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


def _addresses(values: list[str], defects: list[str], where: str) -> list[tuple[str, str]]:
    if not values:
        return []
    cleaned = [_unescape_8bit(v, defects, where) for v in values]
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
        out.append((_normalise_space(_decode_words(name, defects, where)), addr))
    return out


def _date(value: str | None, defects: list[str]) -> datetime | None:
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


class _Headers:
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


# --------------------------------------------------------------------------------------------
# MIME walk

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")

_EXTENSIONS = {
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "message/rfc822": ".eml",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "application/ms-tnef": ".dat",
}


def safe_filename(name: str | None, content_type: str, index: int) -> str:
    """No path parts, no control characters, never empty, at most 200 characters."""
    name = (name or "").replace("\\", "/").split("/")[-1]
    name = _UNSAFE_NAME.sub("_", name).strip().strip(".")
    if not name:
        default = ".txt" if content_type.startswith("text/") else ".bin"
        return f"attachment-{index}{_EXTENSIONS.get(content_type, default)}"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 16 else name[:200]
    return name


class _Walk:
    def __init__(self, defects: list[str]) -> None:
        self.defects = defects
        self.text_parts: list[str] = []
        self.html_parts: list[str] = []
        self.attachments: list[Attachment] = []
        self.report_types: list[str] = []
        self.content_types: set[str] = set()
        self.leaves = 0

    def walk(self, part: Message, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            self.defects.append(f"mime: nested deeper than {MAX_DEPTH}; the rest is not read")
            return
        ctype = _content_type(part)
        self.content_types.add(ctype)
        if ctype.startswith("message/"):
            # Before is_multipart(): compat32 holds an attached message as a one-item list.
            if self._count_leaf():
                self._message_part(part, ctype)
            self._part_defects(part)
            return
        if part.is_multipart():
            self._part_defects(part)
            if ctype == "multipart/report":
                self.report_types.append(str(part.get_param("report-type") or "").lower())
            payload = part.get_payload()
            if not isinstance(payload, list):
                return
            if ctype == "multipart/alternative":
                self._alternative(payload, depth)
                return
            for child in payload:
                if isinstance(child, Message):
                    self.walk(child, depth + 1)
            return
        if self._count_leaf():
            self._leaf(part, ctype, is_root=depth == 0)
        self._part_defects(part)  # after decoding: bad base64 is found then

    def _count_leaf(self) -> bool:
        self.leaves += 1
        if self.leaves > MAX_PARTS:
            if self.leaves == MAX_PARTS + 1:
                self.defects.append(f"mime: more than {MAX_PARTS} parts; the rest is not read")
            return False
        return True

    def _alternative(self, children: list[Message | str], depth: int) -> None:
        """One text and one HTML rendering of the same content; other parts (calendar) kept."""
        have_text = have_html = False
        for child in children:
            if not isinstance(child, Message):
                continue
            ctype = _content_type(child)
            if ctype == "text/plain" and not _is_attachment(child):
                if have_text:
                    continue
                have_text = True
            elif ctype == "text/html" and not _is_attachment(child):
                if have_html:
                    continue
                have_html = True
            self.walk(child, depth + 1)

    def _leaf(self, part: Message, ctype: str, *, is_root: bool = False) -> None:
        where = f"part {self.leaves} ({ctype})"
        # A single-part message is its own body even when it names itself (name=).
        is_body = _disposition(part) != "attachment" if is_root else not _is_attachment(part)
        if ctype in ("text/plain", "text/html") and is_body:
            data = _payload_bytes(part, self.defects, where)
            text = decode_bytes(data, _charset(part), self.defects, where)
            (self.text_parts if ctype == "text/plain" else self.html_parts).append(text)
            return
        data = _payload_bytes(part, self.defects, where)
        filename = _filename(part, self.defects, where)
        is_tnef = ctype == "application/ms-tnef" or (filename or "").lower() == "winmail.dat"
        if is_tnef and self._tnef(data, where):
            return
        cid = _content_id(part)
        disposition = _disposition(part)
        inline = disposition == "inline" or (disposition is None and cid is not None)
        inline = inline and ctype.startswith("image/")
        self.attachments.append(
            Attachment(
                filename=safe_filename(filename, ctype, len(self.attachments) + 1),
                content_type=ctype,
                data=data,
                inline=inline,
                content_id=cid,
            )
        )

    def _message_part(self, part: Message, ctype: str) -> None:
        if ctype in ("message/rfc822", "message/global"):
            self._attached_message(part, ctype)
            return
        # Reports (delivery-status, disposition-notification, feedback-report …): header blocks.
        payload = part.get_payload()
        if isinstance(payload, list):
            blocks = []
            for block in payload:
                try:
                    blocks.append(block.as_bytes() if isinstance(block, Message) else b"")
                except Exception:
                    self.defects.append(f"{ctype}: a block could not be re-serialised")
            data = b"\n".join(blocks)
        else:
            data = _payload_bytes(part, self.defects, ctype)
        name = _filename(part, self.defects, ctype) or ctype.partition("/")[2] + ".txt"
        self.attachments.append(
            Attachment(
                filename=safe_filename(name, ctype, len(self.attachments) + 1),
                content_type=ctype,
                data=data,
                inline=False,
                content_id=_content_id(part),
            )
        )

    def _attached_message(self, part: Message, ctype: str) -> None:
        payload = part.get_payload()
        data: bytes
        inner: Message | None = None
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            inner = payload[0]
            try:
                data = inner.as_bytes(policy=email.policy.compat32)
            except Exception:
                try:
                    data = inner.as_string(policy=email.policy.compat32).encode(
                        "utf-8", "surrogateescape"
                    )
                except Exception:
                    self.defects.append(f"{ctype}: attached message could not be re-serialised")
                    data = b""
        else:
            data = _payload_bytes(part, self.defects, ctype)
        name = _filename(part, self.defects, ctype)
        if not name and inner is not None:
            subject = _decode_words(str(inner.get("subject", "") or ""), self.defects, ctype)
            name = _normalise_space(subject)[:80] + ".eml" if subject.strip() else None
        self.attachments.append(
            Attachment(
                filename=safe_filename(name, "message/rfc822", len(self.attachments) + 1),
                content_type="message/rfc822",
                data=data,
                inline=False,
                content_id=_content_id(part),
                source="message/rfc822",
            )
        )

    def _tnef(self, data: bytes, where: str) -> bool:
        """winmail.dat: its files become attachments; False keeps the .dat itself."""
        from helpline.mail.tnef import TnefError, extract

        try:
            found = extract(data)
        except TnefError as exc:
            self.defects.append(f"{where}: TNEF not readable ({exc}); kept as winmail.dat")
            return False
        if found.body_text and not self.text_parts:
            self.text_parts.append(found.body_text)
        if found.body_html and not self.html_parts:
            self.html_parts.append(found.body_html)
        for name, content_type, payload in found.files:
            self.attachments.append(
                Attachment(
                    filename=safe_filename(name, content_type, len(self.attachments) + 1),
                    content_type=content_type,
                    data=payload,
                    inline=False,
                    content_id=None,
                    source="tnef",
                )
            )
        self.defects.extend(f"{where}: TNEF {d}" for d in found.defects)
        return True

    def _part_defects(self, part: Message) -> None:
        for defect in getattr(part, "defects", ())[:20]:
            self.defects.append(f"mime: {type(defect).__name__}")


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "text/plain"


def _charset(part: Message) -> str | None:
    try:
        value = part.get_param("charset")
    except Exception:
        return None
    if isinstance(value, tuple):  # RFC 2231 form
        value = email.utils.collapse_rfc2231_value(value)
    return str(value) if value else None


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _is_attachment(part: Message) -> bool:
    """Disposition attachment, or a file name (in Content-Disposition or, for old clients, as
    Content-Type's name=): a named text part is a file, not the body."""
    if _disposition(part) == "attachment":
        return True
    try:
        return bool(part.get_filename())
    except Exception:
        return False


def _content_id(part: Message) -> str | None:
    value = part.get("content-id")
    if not value:
        return None
    value = str(value).strip().strip("<>").strip()
    return value or None


def _filename(part: Message, defects: list[str], where: str) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        defects.append(f"{where}: unreadable file name")
        return None
    if not name:
        return None
    return _normalise_space(_decode_words(str(name), defects, where))


def _payload_bytes(part: Message, defects: list[str], where: str) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        defects.append(f"{where}: payload could not be decoded; kept raw")
        raw = part.get_payload()
        return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    if data is None:
        return b""
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape")
    return bytes(data)


# --------------------------------------------------------------------------------------------
# parse


def _mark_cid_references(attachments: list[Attachment], html: str | None) -> tuple[Attachment, ...]:
    """An image the HTML shows through "cid:" is inline whatever its disposition says."""
    if not html or "cid:" not in html:
        return tuple(attachments)
    return tuple(
        dataclasses.replace(a, inline=True)
        if not a.inline
        and a.content_id
        and a.content_type.startswith("image/")
        and f"cid:{a.content_id}" in html
        else a
        for a in attachments
    )


def _load(raw: bytes, defects: list[str]) -> Message:
    """The MIME tree. compat32 first: ten times faster than policy.default here (0.08 ms against
    0.9 ms for a 4 kB reply, docs/decisions/0011), and every header and body is decoded by this
    module anyway. policy.default is the fallback for a message compat32 fails on."""
    try:
        return email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as exc:
        defects.append(f"mime: compat32 failed ({type(exc).__name__}); read with policy.default")
    try:
        return email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:
        defects.append(f"mime: unreadable ({type(exc).__name__}); kept as text")
        msg = Message()
        msg.set_payload(raw.decode("utf-8", "replace"))
        return msg


_LEADING_BLANK_LINES = re.compile(rb"\A(?:[ \t]*\r?\n)+")


def _strip_preamble(raw: bytes, defects: list[str]) -> bytes:
    """A byte-order mark or blank lines before the headers would turn every header into body."""
    if raw.startswith(b"\xef\xbb\xbf"):
        defects.append("raw: starts with a UTF-8 byte-order mark")
        raw = raw[3:]
    match = _LEADING_BLANK_LINES.match(raw[:10_000])
    if match:
        defects.append("raw: blank lines before the headers")
        raw = raw[match.end() :]
    return raw


def parse(raw: bytes) -> ParsedMessage:
    """Raw RFC 5322 bytes → ParsedMessage. Never raises; problems end up in `defects`."""
    defects: list[str] = []
    if not isinstance(raw, bytes | bytearray | memoryview):
        raw = str(raw).encode("utf-8", "surrogateescape")
    raw = _strip_preamble(bytes(raw), defects)
    msg = _load(raw, defects)
    try:
        return _parse_message(msg, defects)
    except RecursionError:
        defects.append("mime: nested too deeply to read")
    except Exception as exc:  # the promise is "never raises": the bytes are kept by the caller
        defects.append(f"parse: {type(exc).__name__}: {str(exc)[:200]}")
    if msg.policy is email.policy.compat32:
        try:
            other = email.message_from_bytes(raw, policy=email.policy.default)
            return _parse_message(other, defects)
        except Exception as exc:
            defects.append(f"parse (policy.default): {type(exc).__name__}: {str(exc)[:200]}")
    return _bare(raw, defects)


def _bare(raw: bytes, defects: list[str]) -> ParsedMessage:
    text = decode_bytes(raw[:1_000_000], None, defects, "raw")
    return ParsedMessage(
        message_id=None,
        in_reply_to=(),
        references=(),
        from_address="",
        from_name="",
        reply_to=None,
        to=(),
        cc=(),
        subject="",
        date=None,
        text=text,
        html=None,
        new_text=text,
        attachments=(),
        auto=None,
        defects=tuple(defects),
        headers=MappingProxyType({}),
    )


def _parse_message(msg: Message, defects: list[str]) -> ParsedMessage:
    headers = _Headers(msg)
    walk = _Walk(defects)
    walk.walk(msg)

    senders = _addresses(headers.all("from"), defects, "from")
    from_name, from_address = senders[0] if senders else ("", "")
    if not senders and headers.all("from"):
        defects.append("from: no address")
    reply_to_pairs = _addresses(headers.all("reply-to"), defects, "reply-to")
    subject = _normalise_space(_decode_words(headers.first("subject") or "", defects, "subject"))

    text = "\n".join(t for t in walk.text_parts if t.strip()) if walk.text_parts else ""
    html = "\n".join(walk.html_parts) if walk.html_parts else None
    if not text.strip() and html:
        text = html_to_text(html)
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    attachments = _mark_cid_references(walk.attachments, html)
    auto = detect_auto(
        headers.values,
        from_address=from_address,
        subject=subject,
        content_types=walk.content_types,
        report_types=walk.report_types,
    )
    kept = {}
    for name in KEPT_HEADERS:
        value = headers.first(name)
        if value is not None:
            kept[name] = _unescape_8bit(value, [], name)[:2000]
    return ParsedMessage(
        message_id=(_ids(headers.first("message-id")) or (None,))[0],
        in_reply_to=_ids(headers.first("in-reply-to")),
        references=_ids(" ".join(headers.all("references"))),
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to_pairs[0][1] if reply_to_pairs else None,
        to=tuple(a for _, a in _addresses(headers.all("to"), defects, "to")),
        cc=tuple(a for _, a in _addresses(headers.all("cc"), defects, "cc")),
        subject=subject,
        date=_date(headers.first("date"), defects),
        text=text,
        html=html,
        new_text=extract_new_text(text),
        attachments=attachments,
        auto=auto,
        defects=tuple(dict.fromkeys(defects)),
        headers=MappingProxyType(kept),
    )
