"""``helpline backup`` and ``helpline restore`` in this process, on the engine the suite runs
on (SQLite: the database is in the archive; PostgreSQL: the files only, and pg_dump is named),
and what they refuse. The round trip beside a running server, and the full disk, are in
``test_ops_live.py``."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection

from helpline import backup
from helpline.cli import main
from helpline.conftest import T0
from helpline.tickets.attachments import Upload
from helpline.tickets.models import Attachment

SHOT = b"\x89PNG" + bytes(range(256)) * 40


@pytest.fixture
def with_attachment(transactional_db, cast):
    from helpline.sla import models as sla_models
    from helpline.sla import services as sla_services

    if not sla_models.PolicyVersion.objects.exists():  # a transactional test flushed it
        sla_services.seed_defaults(sla_models, now=T0)
    ticket = cast.ticket(subject="Checkout shows error 500")
    from helpline.tickets import services

    services.ticket_reply(
        actor=cast.alice,
        ticket=ticket,
        body="Here is the screenshot",
        files=[Upload(filename="error.png", content_type="image/png", data=SHOT)],
        now=T0,
    )
    return Attachment.objects.get(ticket=ticket)


@pytest.mark.django_db(transaction=True)
def test_backup_holds_the_files_and_the_database_or_names_pg_dump(
    with_attachment, tmp_path, capsys
) -> None:
    dest = tmp_path / "helpline.tar"
    assert main(["backup", str(dest)]) == 0
    out = capsys.readouterr().out
    assert (dest.stat().st_mode & 0o777) == 0o600  # it holds the secret key and the mail
    with tarfile.open(dest) as tar:
        manifest = json.loads(tar.extractfile(backup.MANIFEST).read())  # type: ignore[union-attr]
        names = tar.getnames()
        stored = tar.extractfile(backup.FILES + with_attachment.file.name)
        assert stored is not None and stored.read() == SHOT
        if connection.vendor == "sqlite":
            assert manifest["database"] == "sqlite"
            tar.extract(backup.DATABASE, tmp_path, filter="data")
    assert manifest["files"] >= 1 and backup.SECRET_KEY in names
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(tmp_path / backup.DATABASE)
        subjects = {s for (s,) in copy.execute("SELECT subject FROM tickets_ticket")}
        copy.close()
        assert "Checkout shows error 500" in subjects
        assert "database sqlite" in out
    else:
        assert manifest["database"] is None and backup.DATABASE not in names
        assert "back it up with pg_dump (pg_dump -Fc" in out


@pytest.mark.django_db(transaction=True)
def test_restore_puts_the_files_back(with_attachment, tmp_path) -> None:
    dest = tmp_path / "helpline.tar"
    backup.backup(dest, now=T0)
    fresh = FileSystemStorage(location=tmp_path / "restored")
    if connection.vendor == "sqlite":
        # The database here holds tickets: refused before anything is written.
        with pytest.raises(backup.BackupError, match="holds tickets: restoring replaces"):
            backup.restore(dest, store=fresh)
        assert not (tmp_path / "restored").exists()
        return
    summary = backup.restore(dest, store=fresh)
    assert "pg_dump" in summary.database
    with fresh.open(with_attachment.file.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == with_attachment.sha256


def _archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_restore_refuses_what_is_not_a_helpline_backup(db, tmp_path, capsys) -> None:
    other = _archive(tmp_path / "other.tar", {"readme.txt": b"hello"})
    assert main(["restore", str(other)]) == 1
    expected = f"helpline: {other} is not a Helpline backup (it has no manifest.json)\n"
    assert capsys.readouterr().err == expected
    assert main(["restore", str(tmp_path / "missing.tar")]) == 1
    assert "missing.tar is not a file" in capsys.readouterr().err
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"not a tar at all" * 100)
    assert main(["restore", str(garbage)]) == 1
    assert "the restore failed" in capsys.readouterr().err


def test_restore_refuses_a_file_outside_the_storage(db, tmp_path) -> None:
    manifest = json.dumps({"format": 1, "database": None, "files": 1}).encode()
    evil = _archive(
        tmp_path / "evil.tar", {backup.MANIFEST: manifest, "files/../../escape.txt": b"x"}
    )
    fresh = FileSystemStorage(location=tmp_path / "media")
    with pytest.raises(backup.BackupError, match="a file outside the storage"):
        backup.restore(evil, store=fresh)
    assert not (tmp_path / "escape.txt").exists()


def test_backup_refuses_a_directory_or_a_missing_folder(db, tmp_path, capsys) -> None:
    assert main(["backup", str(tmp_path)]) == 1
    assert "is a directory: name the archive file" in capsys.readouterr().err
    assert main(["backup", str(tmp_path / "no" / "such" / "b.tar")]) == 1
    assert f"{tmp_path / 'no' / 'such'} is not a directory" in capsys.readouterr().err
