"""The installation's health, one check at a time: the database, the on-call rota's gaps, the
worker's heartbeat, storage (write, read, delete), mail out and in, who inbound mail may speak
for, the base URL. ``helpline doctor`` prints them (exit 1 on any problem); ``GET
/api/v1/health`` reports them; ``ready`` is the part ``/readyz`` asks. Each check says what to
do when it fails.

A composition module beside the worker: it reads routing, mail and the core, and nothing reads
it but the doors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings

from helpline.core import heartbeat
from helpline.core.zones import zone_or_default
from helpline.mail import imap
from helpline.routing import selectors as routing

WORKER_STALE = timedelta(minutes=5)  # a worker silent this long is down
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "testserver"}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # what was found; on a problem, what to do

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'PROBLEM'}  {self.name}: {self.detail}"


def on_call(now: datetime) -> Check:
    gaps = routing.on_call_gaps(now=now)
    if not gaps:
        return Check("on-call", True, "every hour outside business hours is covered for 7 days")
    zone = zone_or_default(None)
    first = gaps[0].starts_at.astimezone(zone)
    return Check(
        "on-call",
        False,
        f"{len(gaps)} gap(s) in the next 7 days, the first at {first:%a %d %b %H:%M} "
        f"({zone.key}): add on-call shifts or overrides in the admin",
    )


def worker(now: datetime) -> Check:
    beat = heartbeat.last_beat(heartbeat.WORKER)
    if beat is None:
        return Check("worker", False, "no worker has ever run: start `helpline worker`")
    silent = now - beat.beat_at
    if silent > WORKER_STALE:
        minutes = int(silent.total_seconds() // 60)
        return Check(
            "worker",
            False,
            f"last seen {minutes} min ago on {beat.host} (pid {beat.pid}): start or restart "
            "`helpline worker` (nothing is mailed and no deadline is swept without it)",
        )
    return Check("worker", True, f"alive on {beat.host} (pid {beat.pid})")


def mail_out() -> Check:
    if not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        return Check(
            "mail out",
            False,
            f"mail is written to files in {getattr(settings, 'EMAIL_FILE_PATH', '?')}, not "
            "sent: set HELPLINE_EMAIL_URL=smtp+tls://user:password@host:587",
        )
    if settings.EMAIL_HOST_PASSWORD and not (settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL):
        return Check(
            "mail out",
            False,
            "the SMTP password would travel in clear: use smtp+tls:// or smtps:// in "
            "HELPLINE_EMAIL_URL",
        )
    if settings.SUPPORT_ADDRESS.rstrip(">").endswith(".invalid"):
        return Check(
            "mail out",
            False,
            f"mail would come from {settings.SUPPORT_ADDRESS}: set HELPLINE_SUPPORT_ADDRESS",
        )
    return Check("mail out", True, f"SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT}")


def mail_in() -> Check:
    if settings.MAIL_IMAP_URL:
        try:
            cfg = imap.config(settings.MAIL_IMAP_URL)
        except imap.ImapUnavailable as exc:
            return Check("mail in", False, str(exc))
        if cfg.password and cfg.scheme == "imap":
            return Check(
                "mail in",
                False,
                "the IMAP password would travel in clear: use imap+tls:// or imaps:// in "
                "HELPLINE_IMAP_URL",
            )
        return Check("mail in", True, f"IMAP {cfg.host}:{cfg.port}, folder {cfg.folder}")
    if settings.MAIL_INBOUND_SECRET:
        return Check("mail in", True, "by POST /api/v1/mail/inbound (no IMAP poll)")
    return Check(
        "mail in",
        False,
        "no mail comes in: set HELPLINE_IMAP_URL=imaps://user:password@host/INBOX (or "
        "HELPLINE_MAIL_INBOUND_SECRET for POST /api/v1/mail/inbound)",
    )


def mail_senders() -> Check:
    """Whether a forged From header can post as a contact (decision 0168)."""
    mode, hosts = settings.MAIL_SENDER_AUTH, settings.MAIL_AUTHSERV_IDS
    if mode == "off":
        return Check(
            "mail senders",
            False,
            "the From header is trusted: a forged mail posts as a contact; set "
            "HELPLINE_MAIL_SENDER_AUTH=require (or dmarc)",
        )
    trusted = (
        f"Authentication-Results trusted from {', '.join(hosts)}"
        if hosts
        else "no Authentication-Results trusted: name your MTA in HELPLINE_MAIL_AUTHSERV_IDS "
        "so unsigned mail it vouches for counts"
    )
    return Check("mail senders", True, f"{mode}: DKIM and DMARC checked here; {trusted}")


def base_url() -> Check:
    url = settings.BASE_URL
    host = urlsplit(url).hostname or ""
    if host in LOCAL_HOSTS:
        return Check(
            "base URL",
            False,
            f"links in mail point to {url}: set HELPLINE_BASE_URL to where people reach "
            "Helpline (https://support.example.com)",
        )
    if not url.startswith("https://"):
        return Check("base URL", False, f"{url} is not HTTPS: links in mail would be plain HTTP")
    return Check("base URL", True, url)


def database() -> Check:
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return Check("database", False, f"cannot be read ({exc}): check DATABASE_URL")
    if pending:
        return Check(
            "database", False, f"{len(pending)} migration(s) not applied: run `helpline migrate`"
        )
    return Check("database", True, f"{connection.vendor}, migrated")


# What each step of the storage probe needs, named as an operator grants it (an S3 bucket's
# policy names actions; a directory needs write, read and delete rights of the server's user).
STORAGE_STEPS = (
    ("write", "s3:PutObject"),
    ("read", "s3:GetObject"),
    ("delete", "s3:DeleteObject"),
)
PROBE_PREFIX = "health-probe"


def storage() -> Check:
    """Write, read back and delete a small object through Django's default storage (the data
    directory's ``media``, or the bucket ``HELPLINE_STORAGE_URL`` names): the first step that
    fails is named, with the permission it needs."""
    import secrets

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    body = secrets.token_bytes(16)
    name = f"{PROBE_PREFIX}/{secrets.token_hex(8)}"
    where = _storage_place(default_storage)
    step = STORAGE_STEPS[0]
    try:
        saved = default_storage.save(name, ContentFile(body))
        step = STORAGE_STEPS[1]
        with default_storage.open(saved, "rb") as handle:
            if handle.read() != body:
                return Check("storage", False, f"{where}: an object read back differs from it")
        step = STORAGE_STEPS[2]
        default_storage.delete(saved)
    except Exception as exc:  # any backend's error: name the step, not the backend's class
        operation, action = step
        return Check(
            "storage",
            False,
            f"{where}: cannot {operation} ({type(exc).__name__}: {exc}); grant {operation} "
            f"permission ({action} on an S3 bucket)",
        )
    return Check("storage", True, f"{where}: write, read and delete work")


def _storage_place(store: object) -> str:
    location = getattr(store, "location", None) or getattr(store, "bucket_name", None)
    kind = type(getattr(store, "_wrapped", store)).__name__
    return f"{kind} {location}" if location else kind


def checks(*, now: datetime) -> list[Check]:
    """Every check, in the order ``helpline doctor`` prints them (those that read the
    database only when it is there and migrated)."""
    first = database()
    readers = [lambda: on_call(now), lambda: worker(now)] if first.ok else []
    out = [first]
    for name, run in zip(("on-call", "worker"), readers, strict=False):
        try:
            out.append(run())
        except Exception as exc:  # a check that breaks is a problem to report, not a crash
            out.append(Check(name, False, f"the check failed: {exc}"))
    return [*out, storage(), mail_out(), mail_in(), mail_senders(), base_url()]


_migrated = False  # once the schema is seen migrated it stays so for this process's code


def ready() -> list[Check]:
    """``/readyz``: may this process take traffic? The database answers, its migrations are
    applied (checked until first seen true: the plan reads every migration file) and storage
    takes a write. The rest of ``checks`` is the operator's, not the load balancer's."""
    global _migrated
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return [Check("database", False, "unreachable"), storage()]
    if _migrated:
        first = Check("database", True, f"{connection.vendor}, migrated")
    else:
        first = database()
        _migrated = first.ok
    return [first, storage()]
