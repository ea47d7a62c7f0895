"""The front door of ``helpline serve``: slow or large clients never reach a Django thread.

gunicorn's asyncio worker (``-k asgi``) reads every request on its event loop; this ASGI
wrapper around Django's handler then

1. refuses a body over the cap from its ``Content-Length`` alone, before a byte of it is read:
   413 at once with ``Connection: close`` (JSON ``{"detail", "code": "too_large"}`` under
   ``/api/``). A request that carries no sign of a signed-in caller (no session cookie, no
   ``Authorization``, no inbound-mail secret) has the smaller anonymous cap; the middleware
   ``core.middleware.BodyLimitMiddleware`` checks the same against the session Django found.
   A body without a length (chunked) is counted as it arrives and refused the moment it
   passes the cap;
2. receives the whole body on the event loop (spooled to a temporary file past 1 MB) before
   Django runs, so a client that sends its headers or body slowly holds a socket and nothing
   else;
3. runs Django's synchronous code on one of ``threads`` long-lived threads of its own — each
   keeps its database connection (``CONN_MAX_AGE``), as a gunicorn thread did — through
   asgiref's ``ThreadSensitiveContext(executor=…)``. A request waits on the loop for a free
   thread, not in a thread;
4. answers an anonymous GET of a page Django declared public (``Cache-Control: public,
   max-age``: the status page) from ``door_cache`` while it is fresh, on the loop
   (decision 0191).

Decision 0147 says why this and not sync or gthread workers, with the figures.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from asgiref.sync import ThreadSensitiveContext

from helpline.core.door_cache import PublicCache, cacheable_request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Any, Any, Any], Awaitable[None]]  # Django's handler types its own

CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 1024 * 1024
# A caller that may be signed in: its real check (the session, the token, the secret) is
# Django's, before the body is parsed; the door only sees that it claims to be one.
CREDENTIAL_HEADERS = (b"authorization", b"x-helpline-inbound-secret")


class Door:
    def __init__(
        self,
        app: App,
        *,
        threads: int,
        max_body: int,
        anonymous_max_body: int,
        session_cookie: str,
        api_prefix: str = "/api/",
    ) -> None:
        self.app = app
        self.threads = threads
        self.max_body = max_body
        self.anonymous_max_body = min(anonymous_max_body, max_body)
        self.session_cookie = session_cookie.encode("latin-1") + b"="
        self.api_prefix = api_prefix
        self._free: asyncio.Queue[ThreadPoolExecutor] | None = None
        self.cache = PublicCache()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # Django refuses what it does not serve
            return
        if cacheable_request(scope):
            await self.cache.serve(scope, send, lambda out: self.django(scope, receive, out))
            return
        await self.django(scope, receive, send)

    async def django(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The request to Django: its body whole first, then one of the door's threads."""
        cap = self.cap(scope)
        length = _content_length(scope)
        if length is not None and length > cap:
            await self.refuse(scope, send, cap)
            return
        received = await _receive_body(receive, cap)
        if received is None:
            await self.refuse(scope, send, cap)
            return
        body, size = received
        free = self._pool()
        executor = await free.get()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, _replay(body, size, receive), send)
        finally:
            body.close()
            free.put_nowait(executor)

    def cap(self, scope: Scope) -> int:
        """The largest body this request may carry, judged from its headers alone."""
        for name, value in scope.get("headers", ()):
            if name in CREDENTIAL_HEADERS and value.strip():
                return self.max_body
            if name == b"cookie" and any(
                part.strip().startswith(self.session_cookie) for part in value.split(b";")
            ):
                return self.max_body
        return self.anonymous_max_body

    async def refuse(self, scope: Scope, send: Send, cap: int) -> None:
        detail = f"request body too large (at most {cap} bytes)"
        if scope.get("path", "").startswith(self.api_prefix):
            content = json.dumps({"detail": detail, "code": "too_large"}).encode()
            kind = b"application/json"
        else:
            content = detail.encode() + b"\n"
            kind = b"text/plain; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", kind),
                    (b"content-length", str(len(content)).encode()),
                    # The unread body is not drained: the connection ends with this answer.
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})

    def _pool(self) -> asyncio.Queue[ThreadPoolExecutor]:
        # Made on first use, inside the worker's event loop (after gunicorn forks).
        if self._free is None:
            self._free = asyncio.Queue()
            for n in range(self.threads):
                self._free.put_nowait(
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"helpline-web-{n}")
                )
        return self._free


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before we see it
    return None


async def _receive_body(receive: Receive, cap: int) -> tuple[IO[bytes], int] | None:
    """The whole body and its size, or None once it passes ``cap`` (nothing more is read)."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break  # Django sees the short body and the disconnect; nothing to answer
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            spool.close()
            return None
        spool.write(chunk)
        if not message.get("more_body", False):
            break
    spool.seek(0)
    return spool, size


def _replay(body: IO[bytes], size: int, receive: Receive) -> Receive:
    """``receive`` for Django: the stored body in chunks, then the client's own messages (a
    disconnect while Django works)."""
    done = False

    async def replayed() -> Message:
        nonlocal done
        if done:
            return await receive()
        chunk = body.read(CHUNK)
        more = body.tell() < size
        if not more:
            done = True
        return {"type": "http.request", "body": chunk, "more_body": more}

    return replayed
