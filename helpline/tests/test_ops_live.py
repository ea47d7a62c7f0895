"""An operator's view of a running installation: ``helpline serve`` with two gunicorn
processes on a free loopback port, answering /healthz, /readyz and /metrics (request counts
summed over both processes), backed up while it ingests mail with attachments, restored into
a fresh data directory with the same tickets, messages and files; a backup to a disk that
fills up fails clearly and leaves the previous backup as it was."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from helpline.core.tests import HELPLINE, clean_env, run_helpline, serve_started, serve_stopped
from helpline.core.tests.test_serve import free_port

pytestmark = pytest.mark.slow

TOKEN = "m" * 32
SECRET = "inbound-secret-for-the-test"


@dataclass
class Server:
    base: str
    data: Path
    env: dict[str, str]
    log: Path
    contact: str


def request(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("live")
    data = root / "data"
    env = clean_env(data, HELPLINE_METRICS_TOKEN=TOKEN, HELPLINE_MAIL_INBOUND_SECRET=SECRET)
    loaded = run_helpline("demo", "--tickets", "3", env=env, timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    with sqlite3.connect(data / "helpline.sqlite3") as db:
        (contact,) = db.execute(
            "SELECT email FROM accounts_user WHERE role = 'merchant' ORDER BY id LIMIT 1"
        ).fetchone()
    port = free_port()
    log = root / "serve.log"
    base = f"http://127.0.0.1:{port}"
    proc = serve_started(
        ["--port", str(port), "--workers", "2", "--no-migrate"],
        env=env,
        log=log,
        ready=lambda: request(f"{base}/healthz")[0] == 200,
    )
    try:
        yield Server(base=base, data=data, env=env, log=log, contact=contact)
    finally:
        serve_stopped(proc)


def test_health_ready_and_metrics_summed_over_the_servers_processes(server: Server) -> None:
    status, body = request(f"{server.base}/healthz")
    assert (status, json.loads(body)) == (200, {"status": "alive"})
    status, body = request(f"{server.base}/readyz")
    assert status == 200, body
    assert json.loads(body)["checks"] == {"database": True, "storage": True}
    assert request(f"{server.base}/metrics")[0] == 401

    def hit(_: int) -> None:
        for _ in range(10):
            assert request(f"{server.base}/accounts/login/")[0] == 200

    threads = [threading.Thread(target=hit, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for _ in range(6):  # whichever process answers the scrape, it sums both
        status, body = request(f"{server.base}/metrics", headers=auth)
        assert status == 200
        counts = [
            sample.value
            for family in text_string_to_metric_families(body.decode())
            for sample in family.samples
            if sample.name == "helpline_http_request_duration_seconds_count"
            and sample.labels["route"] == "web:login"
        ]
        assert sum(counts) == 20, counts
    files = list((server.data / "metrics").rglob("*.db"))
    assert files, "the processes share their samples through the multiprocess directory"


def _mail(contact: str, n: int) -> bytes:
    message = EmailMessage()
    message["From"] = contact
    message["To"] = "support@helpline.test"
    message["Subject"] = f"Order sync broken, case {n}"
    message["Message-ID"] = f"<live-{n}@merchant.example>"
    message.set_content(f"Orders stopped syncing ({n}).")
    message.add_attachment(
        hashlib.sha256(str(n).encode()).digest() * 512,
        maintype="application",
        subtype="octet-stream",
        filename=f"sync-{n}.log",
    )
    return bytes(message)


class Writer(threading.Thread):
    """Mail in through the running server until stopped: a ticket and a file each."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server, self.stop, self.sent = server, threading.Event(), 0
        self.errors: list[tuple[int, bytes]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            status, body = request(
                f"{self.server.base}/api/v1/mail/inbound",
                data=_mail(self.server.contact, self.sent),
                headers={"X-Helpline-Inbound-Secret": SECRET, "Content-Type": "message/rfc822"},
            )
            if status != 200:
                self.errors.append((status, body[:300]))
                return
            self.sent += 1


def _tickets(path: Path) -> dict[int, tuple[str, tuple[str, ...]]]:
    """Each ticket's subject, description and messages."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        subjects = {
            i: f"{subject}\n{description}"
            for i, subject, description in db.execute(
                "SELECT id, subject, description FROM tickets_ticket"
            )
        }
        bodies: dict[int, list[str]] = {}
        for ticket_id, body in db.execute(
            "SELECT ticket_id, body FROM tickets_ticketmessage ORDER BY id"
        ):
            bodies.setdefault(ticket_id, []).append(body)
    return {k: (v, tuple(bodies.get(k, ()))) for k, v in subjects.items()}


def _attachments(path: Path) -> dict[int, tuple[str, str]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return {
            i: (f, s) for i, f, s in db.execute("SELECT id, file, sha256 FROM tickets_attachment")
        }


def test_backup_while_the_server_writes_then_restore_the_same(server: Server, tmp_path) -> None:
    live_db = server.data / "helpline.sqlite3"
    writer = Writer(server)
    writer.start()
    while writer.sent < 5 and writer.is_alive():
        time.sleep(0.05)
    before = len(_tickets(live_db))
    archive = tmp_path / "helpline.tar"
    made = run_helpline("backup", str(archive), env=server.env, timeout=300)
    after_backup = len(_tickets(live_db))
    more = writer.sent + 3
    while writer.sent < more and writer.is_alive():
        time.sleep(0.05)
    writer.stop.set()
    writer.join(30)
    assert not writer.errors, writer.errors
    assert made.returncode == 0, made.stderr
    assert "database sqlite" in made.stdout

    fresh = tmp_path / "restored"
    restored = run_helpline("restore", str(archive), env=clean_env(fresh), timeout=300)
    assert restored.returncode == 0, restored.stderr
    assert "the secret key was put back" in restored.stdout

    copy_db = fresh / "helpline.sqlite3"
    with sqlite3.connect(copy_db) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    live, copy = _tickets(live_db), _tickets(copy_db)
    # A snapshot taken between the two counts: every ticket in it is the live one, whole.
    assert before <= len(copy) <= after_backup < len(live)
    assert all(live[i] == ticket for i, ticket in copy.items())
    assert sum(len(messages) for _, messages in copy.values()) > 0
    files = _attachments(copy_db)
    assert len(files) >= 5
    for name, sha in files.values():
        data = (fresh / "media" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
        assert data == (server.data / "media" / name).read_bytes()
    assert (fresh / "secret_key").read_bytes() == (server.data / "secret_key").read_bytes()

    again = run_helpline("restore", str(archive), env=clean_env(fresh), timeout=120)
    assert again.returncode == 1
    assert "holds tickets: restoring replaces them all; say --force" in again.stderr
    assert _tickets(copy_db) == copy


def _mount_small_disk(where: Path, size: int) -> bool:
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    return mounted.returncode == 0


def _file_size_limit(limit: int) -> None:  # in the child, before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails (EFBIG), not kills
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("fill", ["tmpfs", "file size limit"])
def test_a_backup_to_a_full_disk_fails_clearly_and_keeps_the_previous_one(
    server: Server, tmp_path, fill: str
) -> None:
    scratch = tmp_path / "scratch.tar"
    assert run_helpline("backup", str(scratch), env=server.env, timeout=300).returncode == 0
    size = scratch.stat().st_size
    disk = tmp_path / "disk"
    # A real full disk: a small tmpfs (root may mount one; CI runs as root). And a file-size
    # limit on the process: the kernel refuses the write (EFBIG), wherever the tests run.
    if fill == "tmpfs":
        # Room for the old archive and half the database: the new copy of it does not fit.
        room = size + (server.data / "helpline.sqlite3").stat().st_size // 2
        on_tmpfs = _mount_small_disk(disk, room)
        if not on_tmpfs:
            pytest.skip("mount -t tmpfs is not allowed here (not root): the size limit runs")
    else:
        on_tmpfs = False
        disk.mkdir()
    try:
        dest = disk / "helpline.tar"
        shutil.copyfile(scratch, dest)  # the previous backup
        old = dest.read_bytes()
        argv = [*HELPLINE, "backup", str(dest)]
        second = subprocess.run(
            argv,
            env=server.env,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
            check=False,
            preexec_fn=None if on_tmpfs else (lambda: _file_size_limit(size // 2)),
        )
        assert second.returncode == 1, second.stdout
        # The database's copy is written first; SQLite names the full disk (tmpfs: ENOSPC) or
        # the refused write (the size limit: EFBIG) in its words.
        reason = (
            "database or disk is full" if on_tmpfs else "disk I/O error"
        ) + ", copying the database"
        assert second.stderr == (
            f"helpline: the backup failed ({reason}); the previous backup at {dest} is untouched\n"
        )
        assert dest.read_bytes() == old
        assert sorted(os.listdir(disk)) == ["helpline.tar"]  # no partial file left behind
    finally:
        if on_tmpfs:
            subprocess.run(["umount", str(disk)], check=False)
