"""The MIME walk: a message's tree → its text and HTML bodies and its attachments (file names
made safe, TNEF and attached messages opened), within bounds that keep a hostile message cheap."""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from email.message import Message

from helpline.mail.charsets import decode_bytes, decode_words, normalise_space

# Bounds that keep a hostile message from costing more than a few milliseconds.
MAX_PARTS = 500  # MIME leaves looked at; the rest is named in defects
MAX_DEPTH = 30  # nesting of multiparts


@dataclass(frozen=True)
class MailAttachment:
    filename: str  # sanitised (no path parts), never empty ("attachment-1.bin")
    content_type: str
    data: bytes
    inline: bool  # inline image (Content-Disposition inline / referenced by cid)
    content_id: str | None  # without <>
    source: str = "mime"  # "mime" | "tnef" | "message/rfc822"


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


class MimeWalk:
    def __init__(self, defects: list[str]) -> None:
        self.defects = defects
        self.text_parts: list[str] = []
        self.html_parts: list[str] = []
        self.attachments: list[MailAttachment] = []
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
            MailAttachment(
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
            MailAttachment(
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
            subject = decode_words(str(inner.get("subject", "") or ""), self.defects, ctype)
            name = normalise_space(subject)[:80] + ".eml" if subject.strip() else None
        self.attachments.append(
            MailAttachment(
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
                MailAttachment(
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
    return normalise_space(decode_words(str(name), defects, where))


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
