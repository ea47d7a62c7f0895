"""``helpline backup DEST`` and ``helpline restore SRC``: one tar archive holding the database
(SQLite, through its online backup API: a consistent snapshot taken while the server writes),
every file of Django's default storage (attachments, raw mail, exports: the data directory's
``media`` or the S3 bucket) and the generated secret key, with a manifest.

On PostgreSQL the archive holds the files only and says so: the database is ``pg_dump``'s job
(docs/deploy.md). The database is copied first, then the files: every file the copied rows name
existed when they were copied (files are written before the row that names them commits), so
the archive is consistent; a file written later is an unused extra.

The archive is written under a temporary name beside ``DEST`` and renamed over it only once
complete and flushed: a backup that fails (a full disk, a storage error) leaves the previous
backup at ``DEST`` as it was. Decision 0163.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage

from helpline.core import config

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database/helpline.sqlite3"
FILES = "files/"
SECRET_KEY = "secret_key"  # noqa: S105 - the archive member's name, not a key
PG_DUMP_HINT = (
    "the database is PostgreSQL: back it up with pg_dump (pg_dump -Fc -f helpline.dump "
    "DATABASE_URL; restore with pg_restore), see docs/deploy.md; this archive holds the files "
    "and the secret key only"
)


class BackupError(Exception):
    """What went wrong, in one line for the operator; nothing was changed at the destination."""


@dataclass(frozen=True)
class Summary:
    path: Path
    database: str  # "sqlite" or a sentence saying where the database is not
    files: int
    bytes: int
    key_changed: bool = False  # restore: the secret key was put back (restart the server)

    def __str__(self) -> str:
        return f"{self.path}: database {self.database}; {self.files} file(s), {self.bytes:,} bytes"


def _vendor() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    return "sqlite" if "sqlite" in engine else "postgresql"


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _walk(store: Storage, top: str = "") -> Iterator[str]:
    try:
        directories, files = store.listdir(top)
    except FileNotFoundError:  # a local storage nothing was ever written to
        if top:
            raise
        return
    for name in sorted(files):
        yield f"{top}/{name}" if top else name
    for directory in sorted(directories):
        yield from _walk(store, f"{top}/{directory}" if top else directory)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, when: datetime) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(when.timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_sqlite(tar: tarfile.TarFile, scratch: Path, when: datetime) -> None:
    """A snapshot of the live database by SQLite's online backup API, into a scratch file
    beside the archive (so that a full disk shows here too), then into the archive."""
    source = sqlite3.connect(f"file:{_sqlite_path()}?mode=ro", uri=True)
    target = sqlite3.connect(scratch)
    try:
        source.backup(target)  # one step: a single read transaction, a consistent snapshot
    finally:
        target.close()
        source.close()
    info = tar.gettarinfo(str(scratch), DATABASE)
    info.mtime, info.mode = int(when.timestamp()), 0o600
    with scratch.open("rb") as handle:
        tar.addfile(info, handle)


def _add_files(tar: tarfile.TarFile, store: Storage, when: datetime) -> tuple[int, int]:
    count = total = 0
    for name in _walk(store):
        info = tarfile.TarInfo(FILES + name)
        info.size = store.size(name)
        info.mtime, info.mode = int(when.timestamp()), 0o600
        with store.open(name, "rb") as handle:
            tar.addfile(info, handle)
        count += 1
        total += info.size
    return count, total


def backup(dest: Path, *, now: datetime, store: Storage | None = None) -> Summary:
    """Write the archive to ``dest`` (replacing a previous one only when complete)."""
    store = store or default_storage
    dest = dest.expanduser().absolute()
    if dest.is_dir():
        raise BackupError(f"{dest} is a directory: name the archive file (…/helpline.tar)")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest.parent} is not a directory")
    token = secrets.token_hex(6)
    partial = dest.parent / f".{dest.name}.partial-{token}"
    scratch = dest.parent / f".{dest.name}.db-{token}"
    vendor = _vendor()
    try:
        # 0600: the archive holds the secret key and every merchant's mail.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            if vendor == "sqlite":
                _add_sqlite(tar, scratch, now)
                scratch.unlink()
            files, size = _add_files(tar, store, now)
            key = Path(settings.DATA_DIR) / config.SECRET_KEY_FILE
            if key.is_file():
                _add_bytes(tar, SECRET_KEY, key.read_bytes(), now)
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "database": vendor if vendor == "sqlite" else None,
                "files": files,
                "bytes": size,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode(), now)
            tar.close()  # the end-of-archive blocks, before the flush
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, dest)
        _flush(dest.parent)
    except (OSError, sqlite3.Error, tarfile.TarError) as exc:
        previous = (
            f"the previous backup at {dest} is untouched"
            if dest.exists()
            else f"nothing was written at {dest}"
        )
        raise BackupError(f"the backup failed ({_reason(exc)}); {previous}") from None
    finally:
        for leftover in (partial, scratch, *_sidecars(scratch)):
            leftover.unlink(missing_ok=True)
    database = "sqlite" if vendor == "sqlite" else f"not included ({PG_DUMP_HINT})"
    return Summary(path=dest, database=database, files=files, bytes=size)


def _sidecars(database: Path) -> list[Path]:
    """The files SQLite keeps beside a database while it writes it."""
    return [database.with_name(database.name + suffix) for suffix in ("-journal", "-wal", "-shm")]


def _reason(exc: Exception) -> str:
    """The operating system's words ("No space left on device"), or SQLite's with where."""
    if isinstance(exc, sqlite3.Error):
        return f"{exc}, copying the database"
    return getattr(exc, "strerror", None) or str(exc)


def _flush(path: Path) -> None:
    """fsync a directory (the rename is on disk)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------- restore


def _manifest(tar: tarfile.TarFile, src: Path) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError(f"{src} is not a Helpline backup (it has no {MANIFEST})")
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{src} is a backup of format {manifest.get('format')!r}, not {FORMAT}")
    return manifest


def _storage_name(member: str) -> str:
    """The storage name of an archive member under ``files/``; refused when it would leave the
    storage's root (an archive is input, whoever made it)."""
    name = PurePosixPath(member[len(FILES) :])
    if name.is_absolute() or ".." in name.parts or not name.parts:
        raise BackupError(f"the archive names a file outside the storage: {member!r}")
    return str(name)


def _holds_tickets(path: Path) -> bool:
    if not path.exists():
        return False
    with sqlite3.connect(path) as connection:
        try:
            row = connection.execute("SELECT COUNT(*) FROM tickets_ticket").fetchone()
        except sqlite3.OperationalError:  # not migrated yet: nothing to lose
            return False
    return bool(row and row[0])


def _restore_sqlite(tar: tarfile.TarFile, force: bool) -> None:
    target = _sqlite_path()
    if _holds_tickets(target) and not force:
        raise BackupError(
            f"the database at {target} holds tickets: restoring replaces them all; say --force "
            "if that is what you want (take a backup of it first)"
        )
    member = tar.extractfile(DATABASE)
    if member is None:
        raise BackupError(f"the archive's {DATABASE} is not a file")
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        copy = Path(scratch) / "restore.sqlite3"
        with copy.open("wb") as out:
            while chunk := member.read(1 << 20):
                out.write(chunk)
        source = sqlite3.connect(copy)
        try:
            verdict = source.execute("PRAGMA integrity_check").fetchone()
            if not verdict or verdict[0] != "ok":
                raise BackupError(f"the archive's database is damaged: {verdict}")
            # Into the live file through SQLite itself: a running server's connections see
            # the restored database, never half of it.
            live = sqlite3.connect(target, timeout=30)
            try:
                source.backup(live)
            finally:
                live.close()
        finally:
            source.close()


def restore(src: Path, *, force: bool = False, store: Storage | None = None) -> Summary:
    """Put the archive ``src`` back: the SQLite database (refused over one holding tickets
    unless ``force``), the files into the default storage, the secret key when none is kept."""
    store = store or default_storage
    if not src.is_file():
        raise BackupError(f"{src} is not a file")
    try:
        with tarfile.open(src, "r") as tar:
            manifest = _manifest(tar, src)
            vendor = _vendor()
            if manifest["database"] == "sqlite" and vendor != "sqlite":
                raise BackupError(
                    "the backup holds a SQLite database and this installation uses PostgreSQL "
                    "(DATABASE_URL): restore it where DATABASE_URL is unset"
                )
            if manifest["database"] == "sqlite":
                _restore_sqlite(tar, force)
            files, size = _restore_files(tar, store)
            key_changed = _restore_secret_key(tar)
    except (OSError, sqlite3.Error, tarfile.TarError) as exc:
        raise BackupError(f"the restore failed ({_reason(exc)})") from None
    database = "sqlite" if manifest["database"] == "sqlite" else f"not included ({PG_DUMP_HINT})"
    return Summary(path=src, database=database, files=files, bytes=size, key_changed=key_changed)


def _restore_files(tar: tarfile.TarFile, store: Storage) -> tuple[int, int]:
    count = total = 0
    for member in tar:
        if not member.name.startswith(FILES) or not member.isfile():
            continue
        name = _storage_name(member.name)
        handle = tar.extractfile(member)
        if handle is None:
            continue
        if store.exists(name):
            store.delete(name)
        saved = store.save(name, File(handle, name=name))
        if saved != name:  # pragma: no cover - a storage that renames despite the delete
            raise BackupError(f"the storage kept {name!r} as {saved!r}")
        count += 1
        total += member.size
    return count, total


def _restore_secret_key(tar: tarfile.TarFile) -> bool:
    """The generated key signs links already sent (quote approvals) and sessions: put it back
    unless the environment sets one (HELPLINE_SECRET_KEY). Whether it changed (a running
    server then needs a restart)."""
    key = Path(settings.DATA_DIR) / config.SECRET_KEY_FILE
    if os.environ.get("HELPLINE_SECRET_KEY") or SECRET_KEY not in tar.getnames():
        return False
    member = tar.extractfile(SECRET_KEY)
    if member is None:
        return False
    data = member.read()
    if key.exists() and key.read_bytes() == data:
        return False
    scratch = key.with_name(f".{key.name}.{secrets.token_hex(4)}")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    os.replace(scratch, key)
    return True
