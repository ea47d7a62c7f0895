"""The IMAP poller (the worker runs it each step; ``helpline mail poll`` once).

For each unseen message in the folder: fetch it without marking it (``BODY.PEEK[]``), hand the
raw bytes to ``mail_ingest`` — which commits the ticket or reply and the ``InboundMail`` row in
one transaction — and only then flag it ``\\Seen``. A crash between fetch and commit leaves the
message unseen (fetched again next time: nothing lost); a crash between commit and flag fetches
it again too, and the unique Message-ID makes the second ingest a no-op (nothing duplicated).
With ``HELPLINE_IMAP_DONE_FOLDER`` set, each message is then moved there (created if missing)
instead of staying in the folder: the same order — moved only after its commit.

``HELPLINE_IMAP_URL``: ``imap://user:pass@host:port/FOLDER`` (plain), ``imap+tls://…``
(STARTTLS) or ``imaps://…`` (TLS; port 993); the folder defaults to INBOX.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags

from helpline.core.storage import StorageUnavailable
from helpline.mail.services import Result, mail_ingest

log = logging.getLogger(__name__)


class ImapUnavailable(Exception):
    """No IMAP URL, a bad one, or the server cannot be reached / refuses the login."""


@dataclass(frozen=True)
class ImapConfig:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    folder: str


def config(url: str) -> ImapConfig:
    if not url:
        raise ImapUnavailable("HELPLINE_IMAP_URL is not set")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ImapUnavailable(
            "HELPLINE_IMAP_URL cannot be read (imap://user:pass@host:port/INBOX)"
        ) from None
    defaults = {"imap": 143, "imap+tls": 143, "imaps": 993}
    if parts.scheme not in defaults or not parts.hostname:
        raise ImapUnavailable(
            "HELPLINE_IMAP_URL must be imap://, imap+tls:// or imaps:// with a host"
        )
    return ImapConfig(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or defaults[parts.scheme],
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def _box(cfg: ImapConfig) -> Any:
    if cfg.scheme == "imaps":
        return MailBox(cfg.host, cfg.port, timeout=30)
    if cfg.scheme == "imap+tls":
        return MailBoxStartTls(cfg.host, cfg.port, timeout=30)
    return MailBoxUnencrypted(cfg.host, cfg.port, timeout=30)


Ingest = Callable[..., Result]


def poll_once(
    *,
    url: str | None = None,
    now: datetime | None = None,
    limit: int = 200,
    ingest: Ingest = mail_ingest,
    done_folder: str | None = None,
) -> list[tuple[str, Result]]:
    """Ingest up to ``limit`` unseen messages; each is flagged seen (and moved to the done
    folder, if there is one) only after its commit."""
    cfg = config(settings.MAIL_IMAP_URL if url is None else url)
    done_folder = settings.MAIL_IMAP_DONE_FOLDER if done_folder is None else done_folder
    done: list[tuple[str, Result]] = []
    try:
        mailbox = _box(cfg).login(cfg.user, cfg.password, initial_folder=cfg.folder)
    except Exception as exc:  # imaplib and socket errors of many kinds
        raise ImapUnavailable(f"IMAP {cfg.host}:{cfg.port}: {type(exc).__name__}: {exc}") from None
    with mailbox:
        if done_folder and done_folder != cfg.folder and not mailbox.folder.exists(done_folder):
            mailbox.folder.create(done_folder)
        uids = mailbox.uids(AND(seen=False))[:limit]
        for uid in uids:
            status, data = mailbox.client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in data or [] if isinstance(item, tuple)), None)
            if status != "OK" or raw is None:
                log.warning("IMAP fetch of UID %s failed: %s", uid, status)
                continue
            name = f"imap:{cfg.folder}/{uid}"
            result = ingest(raw, source="imap", name=name, now=now)
            mailbox.flag(uid, MailMessageFlags.SEEN, True)
            if done_folder and done_folder != cfg.folder:
                mailbox.move(uid, done_folder)
            done.append((name, result))
    return done


def poll_if_configured(*, now: datetime | None = None) -> int:
    """The worker's step: poll when an IMAP URL is set; a server that is down is logged, not
    raised (the next step tries again)."""
    if not settings.MAIL_IMAP_URL:
        return 0
    try:
        return len(poll_once(now=now))
    except ImapUnavailable as exc:
        log.warning("%s", exc)
        return 0
    except StorageUnavailable:
        # The message stays unseen in the mailbox (nothing was committed): the next poll.
        log.warning("file storage is not answering; mail stays in the mailbox until it does")
        return 0
