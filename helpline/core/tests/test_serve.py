"""`helpline serve` really serves: the API schema from Django, static files from whitenoise."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from helpline.core.tests import clean_env, serve_started, serve_stopped

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - our own http://
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_serve_answers_api_and_static_files(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = clean_env(tmp_path / "data")  # SQLite in a fresh data directory, never DATABASE_URL
    body = b""

    def ready() -> bool:
        nonlocal body
        status, _, body = get(f"{base}/api/v1/openapi.json")
        return status == 200

    proc = serve_started(["--port", str(port), "--workers", "1"], env=env, log=log, ready=ready)
    try:
        schema = json.loads(body)
        assert schema["openapi"].startswith("3.")
        assert schema["info"]["title"] == "Helpline API"

        status, headers, css = get(f"{base}/static/admin/css/base.css")
        assert status == 200, log.read_text()
        assert headers["Content-Type"].startswith("text/css")
        assert b"{" in css
        # DEBUG is off, so Django serves no static files: this answer came from whitenoise.
        assert "max-age" in headers.get("Cache-Control", "")

        status, _, _ = get(f"{base}/static/no/such/file.css")
        assert status == 404
    finally:
        serve_stopped(proc)
    assert proc.returncode == 0, f"serve did not stop cleanly:\n{log.read_text()}"
    assert (tmp_path / "data" / "helpline.sqlite3").exists()
