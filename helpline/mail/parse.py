"""Inbound mail parsing: raw RFC 5322 bytes → ParsedMessage. Pure: no models, no database.

`parse()` never raises. Whatever it could not decode cleanly is decoded best-effort and named
in `defects`, so nothing a merchant wrote is silently dropped (house rule 9).

The MIME structure is read by the stdlib parser with the compat32 policy (policy.default when
compat32 fails on a message): policy.default re-parses a header into an object on every access
and made parsing ten times slower (docs/decisions/0011-mail-parsing.md). Headers and bodies are
decoded from their raw values — RFC 2047 words and 8-bit bytes through the same charset
fallback as bodies (``charsets``) — so the defects of each are recorded instead of raised.
``headers`` reads Message-IDs, addresses and the date; ``mime`` walks the tree for the bodies
and the attachments; this module puts them together.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from types import MappingProxyType

from helpline.mail.autoreply import detect_auto
from helpline.mail.charsets import decode_bytes, decode_words, normalise_space, unescape_8bit
from helpline.mail.headers import Headers, addresses, header_date, message_ids
from helpline.mail.htmltext import html_to_text
from helpline.mail.mime import MailAttachment, MimeWalk
from helpline.mail.quoting import extract_new_text

__all__ = ["ParsedMessage", "html_to_text", "parse"]

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
    attachments: tuple[MailAttachment, ...]
    auto: str | None  # None for a human message, else why it is automatic (see autoreply.py)
    defects: tuple[str, ...]  # every problem met while decoding
    headers: Mapping[str, str]  # a few raw headers kept for the record (lower-case keys)


def _mark_cid_references(
    attachments: list[MailAttachment], html: str | None
) -> tuple[MailAttachment, ...]:
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
    headers = Headers(msg)
    walk = MimeWalk(defects)
    walk.walk(msg)

    senders = addresses(headers.all("from"), defects, "from")
    from_name, from_address = senders[0] if senders else ("", "")
    if not senders and headers.all("from"):
        defects.append("from: no address")
    reply_to_pairs = addresses(headers.all("reply-to"), defects, "reply-to")
    subject = normalise_space(decode_words(headers.first("subject") or "", defects, "subject"))

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
            kept[name] = unescape_8bit(value, [], name)[:2000]
    return ParsedMessage(
        message_id=(message_ids(headers.first("message-id")) or (None,))[0],
        in_reply_to=message_ids(headers.first("in-reply-to")),
        references=message_ids(" ".join(headers.all("references"))),
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to_pairs[0][1] if reply_to_pairs else None,
        to=tuple(a for _, a in addresses(headers.all("to"), defects, "to")),
        cc=tuple(a for _, a in addresses(headers.all("cc"), defects, "cc")),
        subject=subject,
        date=header_date(headers.first("date"), defects),
        text=text,
        html=html,
        new_text=extract_new_text(text),
        attachments=attachments,
        auto=auto,
        defects=tuple(dict.fromkeys(defects)),
        headers=MappingProxyType(kept),
    )
