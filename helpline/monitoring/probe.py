"""Probing store URLs concurrently with aiohttp, through the address guard.

No database here: ``probe_all`` takes targets and returns outcomes (the engine claims and
records). The guard resolves every name through ``GuardedResolver`` and refuses private,
loopback and link-local addresses (``helpline.core.http.address_allowed``) unless allowed; an IP
literal in a URL is checked here, since aiohttp does not ask a resolver for one. Redirects are
followed by hand (at most ``MAX_REDIRECTS``), so every hop goes through the same checks.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from helpline.core.http import address_allowed

MAX_REDIRECTS = 5
MAX_BODY = 1 << 20
USER_AGENT = "Helpline-Uptime/1.0 (+store monitoring)"


class Refused(Exception):
    """The guard refused an address (or the URL is not one we probe)."""


@dataclass(frozen=True)
class Target:
    monitor_id: int
    url: str
    timeout: float = 10.0
    expected_status: int = 200
    keyword: str = ""


@dataclass(frozen=True)
class Outcome:
    monitor_id: int
    ok: bool
    status: int | None = None
    latency_ms: int | None = None
    error: str = ""
    refused: bool = False  # the guard said no (a configuration problem, not the store's)
    answered: bool = False  # an HTTP answer came back (the network path works)
    tls_expires_at: datetime | None = None


@dataclass(frozen=True)
class Policy:
    """Which addresses probes may reach: public ones always; private (RFC 1918, loopback,
    link-local …) only if ``allow_private``; loopback alone if ``allow_loopback`` (tests)."""

    allow_private: bool = False
    allow_loopback: bool = False

    def permits(self, ip: str) -> bool:
        if address_allowed(ip, self.allow_private):
            return True
        if not self.allow_loopback:
            return False
        try:
            return ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback
        except ValueError:
            return False


class GuardedResolver(AbstractResolver):
    """Resolves through ``inner`` and refuses the whole name if any address is not allowed."""

    def __init__(self, inner: AbstractResolver, *, policy: Policy) -> None:
        self.inner = inner
        self.policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        infos = await self.inner.resolve(host, port, family)
        for info in infos:
            if not self.policy.permits(info["host"]):
                raise Refused(f"{host} resolves to {info['host']}, which is not allowed")
        return infos

    async def close(self) -> None:
        await self.inner.close()


def _check_url(url: URL, policy: Policy) -> None:
    if url.scheme not in ("http", "https") or not url.host:
        raise Refused(f"not an http(s) URL: {str(url)[:200]!r}")
    try:
        ipaddress.ip_address(url.host)
    except ValueError:
        return  # a name: the resolver checks what it resolves to
    if not policy.permits(url.host):
        raise Refused(f"{url.host} is not an allowed address")


def _tls_expiry(response: aiohttp.ClientResponse) -> datetime | None:
    conn = response.connection
    transport = conn.transport if conn is not None else None
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    if not isinstance(ssl_object, ssl.SSLObject):
        return None
    cert = ssl_object.getpeercert()
    not_after = cert.get("notAfter") if cert else None
    if not isinstance(not_after, str):
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), tz=UTC)


async def probe_one(session: aiohttp.ClientSession, target: Target, *, policy: Policy) -> Outcome:
    loop = asyncio.get_running_loop()
    started = loop.time()
    url = URL(target.url)
    status: int | None = None
    answered = False
    try:
        async with asyncio.timeout(target.timeout):
            for _hop in range(MAX_REDIRECTS + 1):
                _check_url(url, policy)
                async with session.get(url, allow_redirects=False) as response:
                    status, answered = response.status, True
                    location = response.headers.get("Location")
                    if 300 <= status < 400 and location and status != target.expected_status:
                        url = url.join(URL(location))
                        continue
                    tls = _tls_expiry(response)
                    ok, error = status == target.expected_status, ""
                    if not ok:
                        error = f"status {status}, expected {target.expected_status}"
                    elif target.keyword:
                        body = await response.content.read(MAX_BODY)
                        if target.keyword.encode() not in body:
                            ok, error = False, f"keyword {target.keyword[:50]!r} not found"
                    latency = int((loop.time() - started) * 1000)
                    return Outcome(target.monitor_id, ok, status, latency, error, False, True, tls)
            return Outcome(
                target.monitor_id, False, status, None, "too many redirects", False, True
            )
    except Refused as exc:
        return Outcome(target.monitor_id, False, status, None, str(exc)[:300], refused=True)
    except TimeoutError:
        error = f"no answer within {target.timeout:g} s"
    except aiohttp.ClientConnectorError as exc:
        error = f"cannot connect: {exc.os_error.strerror or exc.os_error}"
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    return Outcome(target.monitor_id, False, status, None, error[:300], answered=answered)


async def probe_all(
    targets: Sequence[Target],
    *,
    policy: Policy,
    resolver: AbstractResolver | None = None,
    concurrency: int = 500,
) -> list[Outcome]:
    """Probe every target at once (at most ``concurrency`` connections open), each on a new
    connection (a probe checks that the store accepts one)."""
    guarded = GuardedResolver(resolver or aiohttp.ThreadedResolver(), policy=policy)
    connector = aiohttp.TCPConnector(resolver=guarded, limit=0, force_close=True, ttl_dns_cache=60)
    # The concurrency bound is taken before a probe's timeout starts: a probe waiting for its
    # turn must not time out (a large round would book our own queue as the stores' failures).
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": USER_AGENT},
        timeout=aiohttp.ClientTimeout(total=None),
        auto_decompress=True,
    ) as session:

        async def one(target: Target) -> Outcome:
            async with gate:
                return await probe_one(session, target, policy=policy)

        return list(await asyncio.gather(*(one(t) for t in targets)))
