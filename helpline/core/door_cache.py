"""The front door's cache of public pages (decision 0191): a page Django marks
``Cache-Control: public, max-age=N`` is kept N seconds in the serving process and handed to
anonymous GETs from the event loop, without a thread, the database or the middleware.

- **What is kept**: a 200 answer to a GET whose ``Cache-Control`` says ``public`` and a
  positive ``max-age``, with no ``Set-Cookie``. Nothing else — a view opts in by saying so
  (today only ``/status/``).
- **Who gets it**: a GET with no ``Cookie`` and no credential header (``Authorization``, the
  inbound-mail secret) — every such request is the same anonymous one, so ``Vary: Cookie``
  holds trivially; any other header the answer varies on must match the request that filled
  the entry. Everyone else goes to Django as before.
- **One fill at a time**: when an entry is missing or old, the first request fills it and the
  others asking for the same page meanwhile await that fill (no stampede of 200 renders) —
  unless the page's last answer was not shareable (the sign-in page): those never wait.
- **Bounded**: at most ``MAX_ENTRIES`` pages (path and query string); past that the oldest goes.

Each process keeps its own copy, so a node shows a change at most N seconds late; nothing is
shared between nodes and nothing needs invalidating.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

MAX_ENTRIES = 64
MAX_UNSHARED = 4096
_MAX_AGE = re.compile(rb"(?:^|,)\s*max-age\s*=\s*(\d+)")
_NOT_SHARED = (b"cookie", b"authorization", b"x-helpline-inbound-secret")


@dataclass(frozen=True)
class Entry:
    expires: float  # on the cache's clock (time.monotonic)
    status: int
    headers: Headers
    body: bytes
    vary: tuple[tuple[bytes, bytes], ...]  # (header, the filling request's value)


def cacheable_request(scope: MutableMapping[str, Any]) -> bool:
    if scope.get("method") != "GET":
        return False
    return not any(name in _NOT_SHARED for name, _ in scope.get("headers", ()))


def _header(headers: Any, name: bytes) -> bytes:
    return b", ".join(v for n, v in headers if n.lower() == name)


def _lifetime(status: int, headers: Headers) -> int:
    """Seconds the answer may be shared (0: not at all)."""
    if status != 200 or _header(headers, b"set-cookie"):
        return 0
    control = _header(headers, b"cache-control").lower()
    if b"public" not in control or b"private" in control or b"no-store" in control:
        return 0
    found = _MAX_AGE.search(control)
    return int(found.group(1)) if found else 0


def _vary(headers: Headers, request: Any) -> tuple[tuple[bytes, bytes], ...] | None:
    names = [n.strip().lower() for n in _header(headers, b"vary").split(b",") if n.strip()]
    if b"*" in names:
        return None
    return tuple((n, _header(request, n)) for n in names if n != b"cookie")


class PublicCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.entries: OrderedDict[tuple[str, bytes], Entry] = OrderedDict()
        self.filling: dict[tuple[str, bytes], asyncio.Future[None]] = {}
        # Pages whose last answer was not shareable: nobody waits for another's render of them.
        self.unshared: set[tuple[str, bytes]] = set()

    @staticmethod
    def key(scope: MutableMapping[str, Any]) -> tuple[str, bytes]:
        return scope.get("path", ""), scope.get("query_string", b"")

    def fresh(self, scope: MutableMapping[str, Any]) -> Entry | None:
        entry = self.entries.get(self.key(scope))
        if entry is None or entry.expires <= self.clock():
            return None
        request = scope.get("headers", ())
        if any(_header(request, name) != value for name, value in entry.vary):
            return None
        return entry

    async def serve(
        self,
        scope: MutableMapping[str, Any],
        send: Send,
        render: Callable[[Send], Awaitable[None]],
    ) -> None:
        """Answer from the cache, or ``render(send)`` (Django) and keep what it allows."""
        key = self.key(scope)
        entry = self.fresh(scope)
        if entry is None and key in self.filling and key not in self.unshared:
            await asyncio.shield(self.filling[key])  # it is being rendered: share that one
            entry = self.fresh(scope)
        if entry is not None:
            start = {"type": "http.response.start", "status": entry.status}
            await send({**start, "headers": entry.headers})
            await send({"type": "http.response.body", "body": entry.body})
            return
        if key in self.filling:  # a fill is under way for another variant: no wait twice
            await render(send)
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.filling[key] = done
        try:
            await render(self._recording(scope, send))
        finally:
            del self.filling[key]
            done.set_result(None)

    def _recording(self, scope: MutableMapping[str, Any], send: Send) -> Send:
        start: dict[str, Any] = {}
        parts: list[bytes] = []

        async def recording(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.start":
                start.update(status=message["status"], headers=list(message.get("headers", ())))
            elif message["type"] == "http.response.body" and start:
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._keep(scope, start["status"], start["headers"], b"".join(parts))

        return recording

    def _keep(
        self, scope: MutableMapping[str, Any], status: int, headers: Headers, body: bytes
    ) -> None:
        seconds = _lifetime(status, headers)
        vary = _vary(headers, scope.get("headers", ())) if seconds else None
        key = self.key(scope)
        if vary is None:
            if len(self.unshared) >= MAX_UNSHARED:
                self.unshared.clear()
            self.unshared.add(key)
            return
        self.unshared.discard(key)
        self.entries.pop(key, None)
        self.entries[key] = Entry(self.clock() + seconds, status, headers, body, vary)
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)
