"""DNS TXT lookups for sender authentication (DKIM keys, DMARC records), behind one interface.

``resolver()`` answers with the resolver the settings name: the system's, or the name servers in
``MAIL_DNS_SERVERS`` ("127.0.0.1:5353, 10.0.0.2"), each query bounded by ``MAIL_DNS_TIMEOUT``
seconds. Tests start a real DNS server on loopback (``mail/tests/dnsserver.py``) and name it;
``Zone`` is an in-memory resolver for code that wants no network at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import dns.exception
import dns.nameserver
import dns.resolver
from django.conf import settings


class DnsTrouble(Exception):
    """The lookup could not be answered (timeout, SERVFAIL): a temporary error, not "no record"."""


class Resolver(Protocol):
    def txt(self, name: str) -> list[bytes]:
        """The TXT records at ``name`` (each record's strings joined); [] when there is none."""
        ...


class Zone:
    """TXT records held in memory: {name: [record, …]}."""

    def __init__(self, records: Mapping[str, list[str]] | None = None) -> None:
        self.records = {k.lower().rstrip("."): v for k, v in (records or {}).items()}

    def txt(self, name: str) -> list[bytes]:
        return [r.encode() for r in self.records.get(name.lower().rstrip("."), [])]


class DnsResolver:
    """dnspython's stub resolver: the system's configuration, or the given name servers."""

    def __init__(self, servers: list[tuple[str, int]], timeout: float) -> None:
        self._resolver = dns.resolver.Resolver(configure=not servers)
        if servers:
            self._resolver.nameservers = [
                dns.nameserver.Do53Nameserver(host, port) for host, port in servers
            ]
        self._resolver.lifetime = timeout
        self._resolver.timeout = timeout

    def txt(self, name: str) -> list[bytes]:
        try:
            answer = self._resolver.resolve(name, "TXT", search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.DNSException, OSError) as exc:
            raise DnsTrouble(f"{name}: {type(exc).__name__}") from exc
        return [b"".join(rdata.strings) for rdata in answer]


def servers(value: str) -> list[tuple[str, int]]:
    """ "127.0.0.1:5353, 10.0.0.2" → [("127.0.0.1", 5353), ("10.0.0.2", 53)]."""
    found = []
    for item in value.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        host, sep, port = item.rpartition(":")
        if sep and port.isdigit() and host and not host.endswith(":"):
            found.append((host.strip("[]"), int(port)))
        else:
            found.append((item.strip("[]"), 53))
    return found


def resolver() -> Resolver:
    return DnsResolver(servers(settings.MAIL_DNS_SERVERS), float(settings.MAIL_DNS_TIMEOUT))
