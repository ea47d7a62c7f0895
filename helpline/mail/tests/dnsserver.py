"""A real DNS server on loopback (dnslib) answering TXT queries from a dict the test fills.

Sender authentication's lookups (DKIM keys at ``<selector>._domainkey.<domain>``, DMARC policies
at ``_dmarc.<domain>``) go through dnspython over UDP to it, exactly as they go to a name server
in production. A name it does not hold answers NXDOMAIN; a name in ``failing`` answers SERVFAIL
(a temporary DNS failure).
"""

from __future__ import annotations

from typing import Any

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class DnsServer(BaseResolver):
    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.failing: set[str] = set()
        self.queries: list[str] = []
        self._server = DNSServer(
            self, port=0, address="127.0.0.1", logger=DNSLogger(logf=lambda _line: None)
        )

    @property
    def address(self) -> str:
        host, port = self._server.server.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> None:
        self._server.start_thread()

    def stop(self) -> None:
        self._server.stop()

    def clear(self) -> None:
        self.records.clear()
        self.failing.clear()
        self.queries.clear()

    def add(self, name: str, text: str) -> None:
        self.records.setdefault(name.lower().rstrip("."), []).append(text)

    def resolve(self, request: Any, handler: Any) -> Any:
        name = str(request.q.qname).rstrip(".").lower()
        self.queries.append(name)
        reply = request.reply()
        if name in self.failing:
            reply.header.rcode = RCODE.SERVFAIL
        elif name not in self.records:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for text in self.records[name]:
                data = text.encode()
                chunks = [data[i : i + 255] for i in range(0, len(data), 255)]
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(chunks), ttl=60))
        return reply
