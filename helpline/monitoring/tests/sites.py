"""Local stores for the probe tests: aiohttp.web on loopback, in a thread, taken down and
brought back on the same port. And a stub resolver (no test sends a packet to a private range:
the guard refuses the address before any connection is made)."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult


class LocalSite:
    def __init__(self, body: str = "Welcome to the shop") -> None:
        self.body = body
        self.status = 200
        self.delay = 0.0  # seconds before answering
        self.hits = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runner: web.AppRunner | None = None
        self.site: web.TCPSite | None = None
        self.port = 0

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.path == "/moved":
            return web.Response(status=302, headers={"Location": request.query["to"]})
        return web.Response(status=self.status, text=self.body)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        self.site = web.TCPSite(self.runner, "127.0.0.1", self.port, reuse_address=True)
        await self.site.start()
        if not self.port:
            self.port = self.runner.addresses[0][1]

    async def _stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    def up(self) -> LocalSite:
        self._call(self._start())
        return self

    def down(self) -> None:
        self._call(self._stop())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def close(self) -> None:
        self.down()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class StubResolver(AbstractResolver):
    """Names → addresses, from a table (nothing is asked of the network)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in self.table:
            raise OSError(f"stub resolver: no such name {host}")
        return [
            ResolveResult(
                hostname=host, host=ip, port=port, family=socket.AF_INET, proto=0, flags=0
            )
            for ip in self.table[host]
        ]

    async def close(self) -> None:
        return None
