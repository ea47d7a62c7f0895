"""What Helpline acknowledged is there after the server is killed (issue 18, decision 0148).

A real ``helpline serve`` on SQLite: a ticket created through the API, then a mail taken in
through the inbound endpoint, each answered — and the whole server (master and workers) killed
with SIGKILL right after the answer, no chance to flush or shut down. After a restart both
tickets are read back through the API.

A power cut is not a process crash: a killed process's writes are in the kernel already. What
the power cut adds is the disk: ``synchronous=FULL`` (checked in test_config) has SQLite sync
the WAL before a commit returns, which is what makes the same hold there.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from helpline.core.tests import HELPLINE, clean_env, run_helpline, serve_started
from helpline.core.tests.test_serve import free_port

pytestmark = pytest.mark.slow

SECRET = "inbound-secret-for-the-crash-test"

SETUP = """
import json, django
django.setup()
from helpline.accounts import services as accounts
from helpline.merchants import services as merchants
m = merchants.merchant_create(name="Crash", slug="crash")
store = merchants.store_create(merchant=m, name="Crash store", url="https://crash.example.test")
merchant = accounts.user_create(email="m@crash.test", role="merchant", merchant_id=m.pk)
agent = accounts.user_create(email="agent@helpline.test", role="agent")
print(json.dumps({
    "store": store.pk,
    "merchant": accounts.token_create(user=merchant)[1],
    "agent": accounts.token_create(user=agent)[1],
}))
"""


def _call(port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Serve:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.proc = serve_started(
            ["--port", str(self.port), "--workers", "1", "--no-migrate"],
            env=env,
            log=log,
            ready=lambda: _call(self.port, "GET", "/api/v1/openapi.json", None, {})[0] == 200,
            own_group=True,  # master and workers killed at once
        )

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.kill()


def test_a_ticket_and_a_mail_acknowledged_survive_sigkill(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = clean_env(data, HELPLINE_MAIL_INBOUND_SECRET=SECRET)
    assert run_helpline("migrate", "--quiet", env=env, timeout=300).returncode == 0
    made = subprocess.run(
        [*HELPLINE[:1], "-c", SETUP],
        env={**env, "DJANGO_SETTINGS_MODULE": "helpline.settings"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    cast = json.loads(made.stdout.strip().splitlines()[-1])
    log = tmp_path / "serve.log"

    server = Serve(env, log)
    try:
        status, ticket = _call(
            server.port,
            "POST",
            "/api/v1/tickets",
            json.dumps(
                {
                    "store": cast["store"],
                    "subject": "Checkout down",
                    "description": "Nobody can pay.",
                    "issue_type": "functionality",
                }
            ).encode(),
            {"Authorization": f"Bearer {cast['merchant']}", "Content-Type": "application/json"},
        )
        assert status == 201, ticket
        server.kill()  # right after the answer: no shutdown, no flush

        server = Serve(env, log)
        mail = EmailMessage()
        mail["From"] = "Owner <owner@crash.example.test>"
        mail["To"] = "support@helpline.test"
        mail["Subject"] = "Store is down"
        mail["Message-ID"] = "<crash-1@crash.example.test>"
        mail.set_content("Our store does not load at all.")
        status, ingested = _call(
            server.port,
            "POST",
            "/api/v1/mail/inbound",
            mail.as_bytes(),
            {"X-Helpline-Inbound-Secret": SECRET, "Content-Type": "application/octet-stream"},
        )
        assert status == 200, ingested
        assert ingested["outcome"] == "ticket", ingested
        server.kill()

        # Read the file as it was left, before anything opens it again.
        with sqlite3.connect(data / "helpline.sqlite3") as db:
            (mail_ticket,) = db.execute(
                "SELECT ticket_id FROM mail_inboundmail WHERE id = ?", (ingested["id"],)
            ).fetchone()
        assert mail_ticket is not None

        server = Serve(env, log)
        agent = {"Authorization": f"Bearer {cast['agent']}"}
        for ticket_id, subject in ((ticket["id"], "Checkout down"), (mail_ticket, "Store is down")):
            status, read = _call(server.port, "GET", f"/api/v1/tickets/{ticket_id}", None, agent)
            assert (status, read["subject"]) == (200, subject)
    finally:
        server.stop()
