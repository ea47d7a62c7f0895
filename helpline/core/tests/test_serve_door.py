"""`helpline serve` against slow and large clients (issue 18, decision 0147): a real server on a
free loopback port, one worker process with two Django threads — the smallest there is.

Before, two sockets sending their headers slowly took both sync workers and nobody else was
answered; an anonymous 100 MB upload held a worker until it was read and parsed."""

from __future__ import annotations

import json
import select
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpline.core.tests import clean_env, serve_started, serve_stopped
from helpline.core.tests.test_serve import free_port

pytestmark = pytest.mark.slow

MAX_BODY = 2 * 1024 * 1024
ANONYMOUS_MAX_BODY = 256 * 1024


@dataclass
class Server:
    port: int
    log: Path

    def get(self, path: str, timeout: float = 10) -> int:
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("door")
    port = free_port()
    log = tmp / "serve.log"
    env = clean_env(
        tmp / "data",
        HELPLINE_WEB_THREADS="2",
        HELPLINE_MAX_BODY_BYTES=str(MAX_BODY),
        HELPLINE_ANONYMOUS_MAX_BODY_BYTES=str(ANONYMOUS_MAX_BODY),
        HELPLINE_MAIL_MAX_BYTES=str(MAX_BODY // 2),
    )
    served = Server(port, log)
    proc = serve_started(
        ["--port", str(port), "--workers", "1"],
        env=env,
        log=log,
        ready=lambda: served.get("/accounts/login/", timeout=2) == 200,
    )
    try:
        yield served
    finally:
        serve_stopped(proc)


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one whole response (headers and a Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed without an answer: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (li.split(":", 1) for li in lines[1:])}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        assert chunk, "closed in the middle of the answer"
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _send_until_answered(sock: socket.socket, chunks: Iterator[bytes]) -> None:
    """Send ``chunks`` until the server answers (or all is sent): it may refuse mid-way."""
    for chunk in chunks:
        if select.select([sock], [], [], 0)[0]:
            return
        try:
            sock.sendall(chunk)
        except OSError:
            return


def test_slow_sockets_do_not_stop_anyone_else(server: Server) -> None:
    slow: list[socket.socket] = []
    try:
        # 20 clients sending their headers a line at a time, and 5 sending a body slowly —
        # ten times what took the old server down.
        for _ in range(20):
            sock = server.connect()
            sock.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(sock)
        for _ in range(5):
            sock = server.connect()
            sock.sendall(
                b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 1000\r\n\r\nusername="
            )
            slow.append(sock)
        answered = []
        for n in range(10):
            for i, sock in enumerate(slow[:20]):
                sock.sendall(f"X-Slow-{n}: {i}\r\n".encode())
            for path in ("/accounts/login/", "/status/", "/api/v1/health"):
                answered.append(server.get(path))
        assert answered == [200] * 30, server.log.read_text()[-3000:]
    finally:
        for sock in slow:
            sock.close()


def test_an_anonymous_100_mb_upload_is_refused_before_its_body_is_read(server: Server) -> None:
    with server.connect() as sock:
        sock.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 104857600\r\n\r\n"
        )
        # Not a byte of the body sent: the answer comes from the headers alone.
        status, headers, body = _answer(sock)
        assert status == 413
        assert headers["connection"] == "close"
        assert body.decode() == f"request body too large (at most {ANONYMOUS_MAX_BODY} bytes)\n"
        assert sock.recv(1) == b""  # and the server hung up: nothing is drained
    assert server.get("/accounts/login/") == 200


def test_a_chunked_body_is_counted_as_it_arrives(server: Server) -> None:
    piece = b"a" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    with server.connect() as sock:
        sock.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        _send_until_answered(sock, iter([chunk] * 64))  # 4 MB if nobody stopped it
        status, headers, _ = _answer(sock)
    assert status == 413
    assert headers["connection"] == "close"
    assert server.get("/status/") == 200


def test_the_api_refuses_an_oversize_body_in_its_json_error_format(server: Server) -> None:
    def post(length: int, body: bytes) -> tuple[int, dict[str, str], bytes]:
        with server.connect() as sock:
            sock.sendall(
                b"POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Authorization: Bearer not-a-token\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {length}\r\n\r\n".encode()
            )
            _send_until_answered(sock, iter([body[i : i + 65536] for i in range(0, length, 65536)]))
            return _answer(sock)

    # With credentials the cap is the larger one; over it, refused before it is read.
    status, headers, body = post(MAX_BODY + 1, b"")
    assert status == 413
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {
        "detail": f"request body too large (at most {MAX_BODY} bytes)",
        "code": "too_large",
    }
    # Under it (and over the anonymous cap) the request reaches the API, which refuses the
    # token (without a valid one it asks for the session's CSRF token) and writes nothing.
    payload = json.dumps({"subject": "x" * (ANONYMOUS_MAX_BODY * 2)}).encode()
    status, _, body = post(len(payload), payload)
    assert (status, json.loads(body)["code"]) in {(401, "unauthorized"), (403, "http_error")}
