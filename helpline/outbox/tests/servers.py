"""Real stand-ins on loopback: an SMTP sink (aiosmtpd), a webhook receiver that verifies our
signature and drops repeats by idempotency key, and a WhatsApp Cloud API that counts calls."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from helpline.outbox.channels.webhook import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Collect:
    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.delay = delay
        self.refuse = False  # answer every message "451, try later" (a server up but failing)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 4.3.0 try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow server (real time, its own thread)
        return "250 OK"


class SmtpSink:
    """An SMTP server on 127.0.0.1:``port`` that can be started and stopped (down/up)."""

    def __init__(self, port: int | None = None, delay: float = 0.0) -> None:
        self.port = port or free_port()
        self.handler = _Collect(delay)
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def settings(self) -> dict[str, Any]:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_TIMEOUT": 5,
        }


class Receiver:
    """What a receiver of our webhooks (or the Cloud API stand-in) saw."""

    def __init__(self, secret: str = "", delay: float = 0.0, fail_first: int = 0) -> None:
        self.secret = secret
        self.delay = delay
        self.fail_first = fail_first
        self.calls = 0
        self.bodies: list[dict[str, Any]] = []
        self.keys: Counter[str] = Counter()  # every delivery, repeats included
        self.accepted: list[str] = []  # first deliveries only (repeats dropped by key)
        self.bad_signatures = 0
        self.lock = threading.Lock()


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                receiver.calls += 1
                failing = receiver.calls <= receiver.fail_first
            if receiver.delay:
                time.sleep(receiver.delay)  # a slow receiver (real time, in its own thread)
            if failing:
                self._answer(503)
                return
            if receiver.secret and not verify(
                receiver.secret,
                self.headers.get(TIMESTAMP_HEADER, ""),
                body,
                self.headers.get(SIGNATURE_HEADER, ""),
            ):
                with receiver.lock:
                    receiver.bad_signatures += 1
                self._answer(401)
                return
            key = self.headers.get(IDEMPOTENCY_HEADER) or ""
            data = json.loads(body)
            if not key and isinstance(data, dict):
                key = str(data.get("biz_opaque_callback_data", ""))
            with receiver.lock:
                receiver.keys[key] += 1
                if receiver.keys[key] == 1:
                    receiver.accepted.append(key)
                    receiver.bodies.append(
                        {"path": self.path, "headers": dict(self.headers), "json": data}
                    )
            self._answer(200)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    return Handler


@contextmanager
def http_receiver(receiver: Receiver) -> Iterator[str]:
    """Serve ``receiver`` on loopback; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(receiver))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
