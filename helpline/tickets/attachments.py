"""Attachments: stored with a message (mail or upload), read only through the ticket's scope.

Files live in Django's default storage — the data directory (``MEDIA_ROOT``) or the bucket of
``HELPLINE_STORAGE_URL`` (``core.storage``) — under random names; the sender's file name is
kept only as text. What is too large or too many is refused and reported back (the mail
acknowledgement and the upload form say which), never silently dropped. A storage that does not
answer refuses the whole message (503), so no row ever points at a file that was not written.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core import clock, storage
from helpline.core.errors import NotFound
from helpline.core.validation import id_in_range
from helpline.tickets import access as ticket_access
from helpline.tickets.models import Attachment, Ticket, TicketMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True)
class Refused:
    filename: str
    size: int
    reason: str


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\\\]+")


def clean_filename(name: str | None) -> str:
    """A name to show and offer for download: no path, no control characters, ≤ 200 chars."""
    name = unicodedata.normalize("NFC", name or "")
    name = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    if not name:
        return "attachment"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 190 - len(ext)] + dot + ext) if dot and len(ext) < 10 else name[:200]
    return name


def content_type_of(value: str | None) -> str:
    """A client's Content-Type as kept: a plain type/subtype of ≤ 100 characters, else
    application/octet-stream."""
    value = (value or "").strip().lower()
    return (
        value[:100]
        if re.fullmatch(r"[a-z0-9.+-]+/[a-z0-9.+-]+", value)
        else "application/octet-stream"
    )


def refused_type(name: str, data: bytes) -> str | None:
    """Why a file of this name and content is refused by ``ATTACHMENT_REFUSED_TYPES``
    (None: it is not). A Windows program is known by its first bytes too, whatever its name."""
    refused = settings.ATTACHMENT_REFUSED_TYPES
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext in refused:
        return f"a .{ext} file: programs and scripts are not accepted, send a screenshot or a zip"
    if "exe" in refused and data[:2] == b"MZ":
        return "a Windows program: programs and scripts are not accepted"
    return None


def attachments_store(
    *,
    ticket: Ticket,
    message: TicketMessage | None,
    files: Sequence[Upload],
    now: datetime | None = None,
) -> tuple[list[Attachment], list[Refused]]:
    """Store what fits the limits (``ATTACHMENT_MAX_BYTES`` each, ``ATTACHMENT_MAX_COUNT`` a
    message); return the stored rows and what was refused, with the reason. Call it inside the
    transaction that wrote the message."""
    now = now or clock.now()
    limit, count = settings.ATTACHMENT_MAX_BYTES, settings.ATTACHMENT_MAX_COUNT
    stored: list[Attachment] = []
    refused: list[Refused] = []
    for upload in files:
        name, size = clean_filename(upload.filename), len(upload.data)
        if (why := refused_type(name, upload.data)) is not None:
            refused.append(Refused(name, size, why))
            continue
        if size > limit:
            refused.append(Refused(name, size, f"larger than {limit // (1024 * 1024)} MB"))
            continue
        if len(stored) >= count:
            refused.append(Refused(name, size, f"more than {count} files in one message"))
            continue
        row = Attachment(
            ticket=ticket,
            message=message,
            filename=name,
            content_type=content_type_of(upload.content_type),
            size=size,
            sha256=hashlib.sha256(upload.data).hexdigest(),
            inline=upload.inline,
            content_id=(upload.content_id or "").replace("\x00", "")[:200],
            created_at=now,
        )
        try:
            row.file.save(name, ContentFile(upload.data), save=False)
        except storage.storage_errors():
            # The caller's transaction rolls back: no message, no row pointing at no file.
            raise storage.unavailable("message with its attachments") from None
        row.save()
        stored.append(row)
    return stored, refused


def attachments_discard(rows: Sequence[Attachment]) -> None:
    """Delete the files of rows whose transaction rolled back (they point at nothing kept).
    Best effort: a storage that does not answer leaves an unreferenced private object."""
    for row in rows:
        try:
            row.file.storage.delete(row.file.name)
        except storage.storage_errors():
            log.warning("could not remove %s after a rollback", row.file.name)


def attachment_get(*, user: User | None, attachment_id: int) -> Attachment:
    """An attachment ``user`` may download: on a ticket they may see, and not on an internal
    note unless they see internal notes. Unknown and forbidden are the same 404."""
    if not id_in_range(attachment_id):
        raise NotFound("attachment not found")
    qs = Attachment.objects.filter(pk=attachment_id, ticket__in=_ticket_ids(user))
    if not access.sees_internal(user):
        qs = qs.exclude(message__internal=True)
    row = qs.select_related("ticket").first()
    if row is None:
        raise NotFound("attachment not found")
    return row


def _ticket_ids(user: User | None) -> object:
    return Ticket.objects.filter(ticket_access.ticket_scope(user)).values("pk")


def ticket_attachments(*, user: User | None, ticket: Ticket) -> list[Attachment]:
    """The attachments of a ticket the caller has already loaded through its scope."""
    qs = Attachment.objects.filter(ticket=ticket).order_by("pk")
    if not access.sees_internal(user):
        qs = qs.exclude(message__internal=True)
    return list(qs)


@dataclass
class CopyReport:
    copied: int = 0
    already: int = 0
    missing: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)


def attachments_copy(*, source: Storage, dest: Storage, batch: int = 500) -> CopyReport:
    """Copy every attachment's file from ``source`` to ``dest`` under the same name (rows keep
    pointing at it), checking each copy's SHA-256 against the row. Resumable: a file already in
    ``dest`` with the row's size is skipped; a partial one (another size) is written again.
    A file missing from ``source`` is reported, not fatal (the rest still move)."""
    report = CopyReport()
    last = 0
    while True:
        rows = list(
            Attachment.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "file", "size", "sha256")[:batch]
        )
        if not rows:
            return report
        last = rows[-1][0]
        for _pk, name, size, sha in rows:
            _copy_one(source, dest, name, size, sha, report)


def _copy_one(
    source: Storage, dest: Storage, name: str, size: int, sha: str, report: CopyReport
) -> None:
    if dest.exists(name):
        if dest.size(name) == size:
            report.already += 1
            return
        dest.delete(name)  # a copy cut short by an earlier run
    try:
        with source.open(name, "rb") as handle:
            data = handle.read()
    except storage.storage_errors() as exc:  # FileNotFoundError included (is_missing)
        if storage.is_missing(exc):
            report.missing.append(name)
            return
        raise
    if hashlib.sha256(data).hexdigest() != sha:
        report.corrupt.append(name)
        return
    written = dest.save(name, ContentFile(data))
    if written != name:  # pragma: no cover - dest.exists() said no a moment ago
        raise RuntimeError(f"{name} was stored as {written}")
    report.copied += 1
