"""The one door for outbound HTTP (webhooks, the WhatsApp Cloud API, …). Probes use aiohttp.

Every request has a timeout; redirects are not followed; the answer is read up to a limit; and
the address a name resolves to is checked when the connection is made (not before, so a name
that resolves to a public address when asked and to a private one when used is still refused).
Only global addresses are reached (IANA's special-purpose registry: private, shared 100.64/10,
loopback, link-local, multicast, reserved … are refused, and so is an IPv6 address that embeds
such an IPv4 one: mapped, 6to4, Teredo, NAT64) unless the caller allows private ones
(``settings.HELPLINE_HTTP_ALLOW_PRIVATE``; tests allow loopback).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

DEFAULT_TIMEOUT = 10.0
MAX_BODY = 1 << 20


class HttpError(Exception):
    """The request could not be made or had no answer (refused, timed out, bad URL)."""


class AddressRefused(HttpError):
    """The URL resolves to an address outbound requests may not reach."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


# NAT64 prefixes (RFC 6052 well-known, RFC 8215 local-use): the last 32 bits are an IPv4 address.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


# IANA's IETF protocol assignments, not global but for two anycast services; Python before
# 3.11.10 (this machine has 3.11.7) calls the whole block global.
_IETF = ipaddress.ip_network("192.0.0.0/24")
_IETF_GLOBAL = (ipaddress.ip_address("192.0.0.9"), ipaddress.ip_address("192.0.0.10"))


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo's client, NAT64), if any."""
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        return addr.teredo[1]
    if any(addr in net for net in _NAT64):
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def _allowed(ip: str, allow_private: bool) -> bool:
    """Public (IANA's ``is_global``: not private, shared 100.64/10, loopback, link-local,
    reserved or special-purpose) — and so is any IPv4 address embedded in an IPv6 one."""
    addr: ipaddress.IPv4Address | ipaddress.IPv6Address
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if addr.is_multicast or addr.is_unspecified:
        return False
    if allow_private:
        return True
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_ipv4(addr)
        if inner is not None:
            return _allowed(str(inner), allow_private)
    elif addr in _IETF and addr not in _IETF_GLOBAL:
        return False
    return addr.is_global


# The address policy, public: the store probes (aiohttp, helpline.monitoring) apply the same one.
address_allowed = _allowed


def url_refusal(url: str, *, allow_private: bool, https: bool = False) -> str | None:
    """Why a URL typed by a person will be refused when used (None if it will not be): not
    http(s) (or not https when ``https``), no host, a local name or a literal address the
    guard refuses. A name is checked again, resolved, when the connection is made."""
    parts = urlsplit(url)
    schemes = ("https",) if https else ("http", "https")
    if parts.scheme not in schemes:
        return f"the URL must start with {' or '.join(s + '://' for s in schemes)}"
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "the URL has no host"
    if allow_private:
        return None
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return f"{host} is a local name, not a public address"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    if not _allowed(host, allow_private):
        return f"{host} is not a public address"
    return None


def _guarded_connect(allow_private: bool) -> Any:
    def create_connection(
        address: tuple[str, int], timeout: Any = None, source_address: Any = None, **_: Any
    ) -> socket.socket:
        host, port = address
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise HttpError(f"cannot resolve {host}: {exc.strerror}") from None
        last: OSError | None = None
        for family, kind, proto, _canon, sockaddr in infos:
            if not _allowed(str(sockaddr[0]), allow_private):
                raise AddressRefused(f"{host} resolves to {sockaddr[0]}, which is not allowed")
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is not None:
                    sock.settimeout(timeout)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                last = exc
        raise HttpError(f"cannot connect to {host}:{port}: {last}")

    return create_connection


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    allow_private: bool | None = None,
) -> Response:
    """Make one request; any answer (2xx to 5xx) is returned, no answer raises ``HttpError``."""
    if allow_private is None:
        from django.conf import settings

        allow_private = bool(getattr(settings, "HELPLINE_HTTP_ALLOW_PRIVATE", False))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpError(f"not an http(s) URL: {url!r}")
    if timeout is None or timeout <= 0:
        raise ValueError("outbound requests always have a timeout")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            parts.hostname, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    conn._create_connection = _guarded_connect(allow_private)  # type: ignore[attr-defined]
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        data = answer.read(MAX_BODY)
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, data)
    except HttpError:
        raise
    except (OSError, http.client.HTTPException) as exc:
        raise HttpError(f"{type(exc).__name__}: {exc}") from None
    finally:
        conn.close()


def post_json(
    url: str,
    body: bytes,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    allow_private: bool | None = None,
) -> Response:
    return request(
        "POST",
        url,
        body=body,
        headers={"Content-Type": "application/json", **(headers or {})},
        timeout=timeout,
        allow_private=allow_private,
    )
