"""The cast every test knows, its factories, and helpers to call the API as one of them.

Merchants: Acme (store "Acme Shoes", managed by Maya; store "Acme Outlet", no manager) and Bolt
(store "Bolt Gadgets"). People: Alice (Acme's merchant user), Bob (Bolt's), Ravi (agent), Lena
(team lead, agent), Maya (account manager of Acme Shoes), Eric (engineer), Ada (admin).

A test opens a ticket with ``cast.ticket(...)`` and triages it with ``cast.triage(...)``: the
real services, one way for every module; each test passes the texts and instants it asserts on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from helpline.sla import selectors as sla_selectors

if TYPE_CHECKING:
    from helpline.tickets.models import Ticket

T0 = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # Tue 24 Nov 2026 10:30 IST (Guru Nanak's day is
# Tuesday 24 Nov in the package: tests choose instants with care; see helpers below)


@pytest.fixture(autouse=True)
def _fresh_policy_caches() -> Any:
    """Versions and calendars are cached by id; tests roll the database back under them."""
    from helpline.core import heartbeat

    sla_selectors.clear_caches()
    heartbeat.forget()
    yield
    sla_selectors.clear_caches()


@pytest.fixture(scope="session", autouse=True)
def _dns_server() -> Any:
    """Every test's DKIM/DMARC lookups go to a real DNS server on loopback (empty unless the
    test fills it through ``dns``): none reaches the Internet, none waits for a timeout."""
    from django.conf import settings

    from helpline.mail.tests.dnsserver import DnsServer

    server = DnsServer()
    server.start()
    names = ("MAIL_DNS_SERVERS", "MAIL_DNS_TIMEOUT", "MAIL_AUTHSERV_IDS")
    before = [getattr(settings, name) for name in names]
    # The tests' MTA: mail built by mail/tests/pipeline/mails.py carries its verdict.
    values = [server.address, 1, ("mx.helpline.test",)]
    for name, value in zip(names, values, strict=True):
        setattr(settings, name, value)
    yield server
    for name, value in zip(names, before, strict=True):
        setattr(settings, name, value)
    server.stop()


@pytest.fixture
def dns(_dns_server: Any) -> Any:
    """The loopback DNS server, emptied after the test."""
    _dns_server.clear()
    yield _dns_server
    _dns_server.clear()


class Api:
    """A JSON client for /api/v1 authenticated with one user's bearer token."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        func = getattr(self.client, method.lower())
        if method.upper() == "GET":
            response = func(url, params, headers=headers, **self._headers())
        else:
            response = func(
                url,
                data=json.dumps(body) if body is not None else None,
                content_type="application/json",
                headers=headers,
                **self._headers(),
            )
        response.json_body = (
            response.json()
            if response.content and response["Content-Type"].startswith("application/json")
            else None
        )
        return response

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, **params)

    def post(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None) -> Any:
        return self.call("POST", path, body, headers=headers)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.call("PATCH", path, body)


@dataclass
class Cast:
    acme: Any
    bolt: Any
    acme_shoes: Any
    acme_outlet: Any
    bolt_gadgets: Any
    alice: Any
    bob: Any
    ravi: Any
    lena: Any
    maya: Any
    eric: Any
    ada: Any
    team: Any
    tokens: dict[str, str]

    def api(self, name: str) -> Api:
        return Api(self.tokens[name])

    def ticket(
        self,
        *,
        who: str = "alice",
        store: Any = None,
        subject: str = "Images missing",
        description: str = "Product images 404",
        issue_type: str = "functionality",
        priority: str | None = None,
        at: datetime | None = T0,
        **more: Any,
    ) -> Ticket:
        """A ticket ``who`` (a name of the cast) files through ``ticket_create`` on ``store`` (by
        default Bolt Gadgets for Bob, Acme Shoes for anyone else) at ``at`` (None: the clock's
        now). ``more``: the service's other arguments (``channel``, ``files`` …)."""
        from helpline.tickets import services

        return services.ticket_create(
            actor=getattr(self, who),
            store=store or (self.bolt_gadgets if who == "bob" else self.acme_shoes),
            subject=subject,
            description=description,
            issue_type=issue_type,
            priority=priority,
            now=at,
            **more,
        )

    def triage(
        self,
        ticket: Ticket,
        *,
        by: str = "ravi",
        assignee: Any = None,
        at: datetime | None = T0,
        **more: Any,
    ) -> Ticket:
        """``ticket`` triaged through ``ticket_triage`` by the agent ``by``, assigned to
        ``assignee`` (by default ``by`` themself, by id). ``more``: the service's other arguments
        (``team``, ``priority`` …)."""
        from helpline.tickets import services

        actor = getattr(self, by)
        return services.ticket_triage(
            actor=actor,
            ticket=ticket,
            assignee=actor.pk if assignee is None else assignee,
            now=at,
            **more,
        )


@pytest.fixture
def cast(db: Any) -> Cast:
    from helpline.accounts import services as accounts
    from helpline.merchants import services as merchants

    acme = merchants.merchant_create(name="Acme Retail", slug="acme", now=T0)
    bolt = merchants.merchant_create(
        name="Bolt Electronics", slug="bolt", time_zone="Europe/London", now=T0
    )
    maya = accounts.user_create(
        email="maya@helpline.test", role="account_manager", first_name="Maya"
    )
    people = {
        "alice": accounts.user_create(
            email="alice@acme.test", role="merchant", merchant_id=acme.pk, first_name="Alice"
        ),
        "bob": accounts.user_create(
            email="bob@bolt.test", role="merchant", merchant_id=bolt.pk, first_name="Bob"
        ),
        "ravi": accounts.user_create(email="ravi@helpline.test", role="agent", first_name="Ravi"),
        "lena": accounts.user_create(email="lena@helpline.test", role="agent", first_name="Lena"),
        "maya": maya,
        "eric": accounts.user_create(
            email="eric@helpline.test", role="engineer", first_name="Eric"
        ),
        "ada": accounts.user_create(email="ada@helpline.test", role="admin", first_name="Ada"),
    }
    team = accounts.team_create(
        name="Support", lead=people["lena"], members=[people["ravi"], people["lena"]]
    )
    tokens = {name: accounts.token_create(user=user, now=T0)[1] for name, user in people.items()}
    return Cast(
        acme=acme,
        bolt=bolt,
        acme_shoes=merchants.store_create(
            merchant=acme,
            name="Acme Shoes",
            url="https://shoes.acme.test",
            account_manager=maya,
            now=T0,
        ),
        acme_outlet=merchants.store_create(
            merchant=acme, name="Acme Outlet", url="https://outlet.acme.test", now=T0
        ),
        bolt_gadgets=merchants.store_create(
            merchant=bolt, name="Bolt Gadgets", url="https://bolt.test", now=T0
        ),
        team=team,
        tokens=tokens,
        **people,
    )


def wait_until_a_session_waits_on_a_lock(pause: Any, tries: int = 2000) -> bool:
    """PostgreSQL: poll until another session of this database waits on a lock (a second
    request or worker blocked by the first); ``pause`` is waited on between polls."""
    from django.db import connection

    for _ in range(tries):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        pause.wait(0.01)
    return False
