"""The care permission matrix: every new endpoint, as the merchant, an agent, the account
manager of this store, the account manager of another store, an engineer and an admin. What one
may not see is 404; what one's role may not do is 403 (docs/policy.md, "Who sees what")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from helpline.account_management.tests.world import NOW, ROLES, World, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    method: str
    path: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World], Any] | None = None
    prepare: Callable[[World], None] | None = None


def codes(merchant: int, agent: int, am: int, am_other: int, engineer: int, admin: int) -> dict:
    return dict(zip(ROLES, (merchant, agent, am, am_other, engineer, admin), strict=True))


SHOES = "stores/{w.cast.acme_shoes.pk}"
MEETING = {
    "channel": "training",
    "starts_at": (NOW + timedelta(days=2)).isoformat(),
    "ends_at": (NOW + timedelta(days=2, hours=1)).isoformat(),
    "link": "https://meet.example.test/abc",
    "summary": "Catalogue training",
}


CASES: dict[str, Case] = {
    # the merchant's dashboard and call requests
    "account managers": Case(
        "GET", lambda w: "account-managers", codes(200, 200, 200, 200, 200, 200)
    ),
    "request a call": Case(
        "POST",
        lambda w: f"stores/{w.cast.acme_shoes.pk}/call-requests",
        codes(201, 403, 403, 404, 404, 403),
        body=lambda w: {"preferred_times": "Tue 11:00–12:00 IST", "topic": "Checkout"},
    ),
    "call requests": Case(
        "GET",
        lambda w: f"stores/{w.cast.acme_shoes.pk}/call-requests",
        codes(200, 200, 200, 404, 404, 200),
    ),
    "call request status": Case(
        "POST",
        lambda w: f"call-requests/{w.call.pk}/status",
        codes(403, 200, 200, 404, 404, 200),
        body=lambda w: {"status": "scheduled"},
    ),
    # the contact log
    "contact log": Case(
        "GET",
        lambda w: f"stores/{w.cast.acme_shoes.pk}/contact-log",
        codes(200, 200, 200, 404, 404, 200),
    ),
    "log a contact": Case(
        "POST",
        lambda w: f"stores/{w.cast.acme_shoes.pk}/contact-log",
        codes(403, 201, 201, 404, 404, 201),
        body=lambda w: {"channel": "call", "summary": "Talked", "tickets": [w.ticket.pk]},
    ),
    "send from the log": Case(
        "POST",
        lambda w: f"stores/{w.cast.acme_shoes.pk}/contact-log/send",
        codes(403, 201, 201, 404, 404, 201),
        body=lambda w: {"channel": "email", "subject": "Update", "body": "The fix is live"},
    ),
    "schedule training": Case(
        "POST",
        lambda w: f"stores/{w.cast.acme_shoes.pk}/meetings",
        codes(403, 201, 201, 404, 404, 201),
        body=lambda w: MEETING,
    ),
    # the progress sheet
    "sheet": Case(
        "GET",
        lambda w: f"stores/{w.cast.acme_shoes.pk}/progress-sheet",
        codes(200, 200, 200, 404, 404, 200),
    ),
    "sheet csv": Case(
        "GET",
        lambda w: f"stores/{w.cast.acme_shoes.pk}/progress-sheet.csv",
        codes(200, 200, 200, 404, 404, 200),
    ),
    "sheet xlsx": Case(
        "GET",
        lambda w: f"stores/{w.cast.acme_shoes.pk}/progress-sheet.xlsx",
        codes(200, 200, 200, 404, 404, 200),
    ),
    "sheet note": Case(
        "PUT",
        lambda w: f"tickets/{w.ticket.pk}/sheet-note",
        codes(403, 200, 200, 404, 404, 200),
        body=lambda w: {"note": "Waiting for the CDN fix"},
    ),
    # the account manager's home and tasks
    "home": Case("GET", lambda w: "account-manager/home", codes(403, 403, 200, 200, 403, 200)),
    "tasks": Case("GET", lambda w: "account-manager/tasks", codes(403, 403, 200, 200, 403, 200)),
    "task done": Case(
        "POST",
        lambda w: f"account-manager/tasks/{w.task.pk}/done",
        codes(404, 200, 200, 404, 404, 200),
        body=lambda w: {"entry": w.entry.pk},
    ),
    # engineering
    "dev tickets": Case("GET", lambda w: "dev-tickets", codes(403, 200, 200, 200, 200, 200)),
    "dev ticket": Case(
        "GET", lambda w: f"dev-tickets/{w.dev.reference}", codes(403, 200, 200, 404, 200, 200)
    ),
    "open dev ticket": Case(
        "POST",
        lambda w: "dev-tickets",
        codes(403, 201, 201, 404, 403, 201),
        body=lambda w: {"title": "More", "tickets": [w.ticket.pk]},
    ),
    "escalate": Case(
        "POST",
        lambda w: f"tickets/{w.ticket.pk}/escalate",
        codes(403, 201, 201, 404, 403, 201),
        body=lambda w: {"title": "Escalated"},
    ),
    "ticket's dev tickets": Case(
        "GET", lambda w: f"tickets/{w.ticket.pk}/dev-tickets", codes(403, 200, 200, 404, 200, 200)
    ),
    "update dev ticket": Case(
        "PATCH",
        lambda w: f"dev-tickets/{w.dev.pk}",
        codes(403, 200, 200, 404, 200, 200),
        body=lambda w: {"status": "in_progress"},
    ),
    "link a ticket": Case(
        "POST",
        lambda w: f"dev-tickets/{w.dev.pk}/tickets",
        codes(403, 200, 200, 404, 404, 200),
        body=lambda w: {"ticket": w.other.pk},
    ),
    # quotes
    "ticket's quotes": Case(
        "GET", lambda w: f"tickets/{w.ticket.pk}/quotes", codes(200, 200, 200, 404, 403, 200)
    ),
    "attach a quote": Case(
        "POST",
        lambda w: f"tickets/{w.ticket.pk}/quotes",
        codes(403, 201, 201, 404, 403, 201),
        body=lambda w: {
            "amount_inr": "2500.00",
            "description": "Custom report",
            "valid_until": (NOW + timedelta(days=3)).isoformat(),
        },
    ),
    "quote": Case("GET", lambda w: f"quotes/{w.quote.pk}", codes(200, 200, 200, 404, 404, 200)),
    "decide a quote": Case(
        "POST",
        lambda w: f"quotes/{w.quote.pk}/decision",
        codes(200, 403, 403, 404, 404, 403),
        body=lambda w: {"decision": "approve"},
    ),
    # subscriptions and the ledger
    "subscriptions": Case(
        "GET",
        lambda w: f"stores/{w.cast.acme_shoes.pk}/subscriptions",
        codes(200, 200, 200, 404, 404, 200),
    ),
    "ask for account-manager support": Case(
        "POST",
        lambda w: f"stores/{w.cast.acme_outlet.pk}/account-manager/requests",
        codes(201, 403, 404, 404, 404, 403),
        body=lambda w: {"note": "Please"},
    ),
    "pending support requests": Case(
        "GET", lambda w: "account-manager/requests", codes(200, 200, 200, 200, 200, 200)
    ),
    "assign an account manager": Case(
        "PUT",
        lambda w: f"stores/{w.cast.acme_shoes.pk}/account-manager",
        codes(403, 403, 403, 404, 404, 200),
        body=lambda w: {"account_manager": w.omar.pk},
    ),
    "ledger": Case(
        "GET", lambda w: "merchants/acme/ledger?month=2026-11", codes(200, 200, 200, 404, 404, 200)
    ),
    "ledger csv": Case(
        "GET",
        lambda w: "merchants/acme/ledger.csv?month=2026-11",
        codes(200, 200, 200, 404, 404, 200),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(CASES))
def test_permission_matrix(world: World, name: str, role: str) -> None:  # noqa: F811
    case = CASES[name]
    if case.prepare is not None:
        case.prepare(world)
    client = world.api(role)
    path = case.path(world)
    with time_machine.travel(NOW, tick=False):
        if case.method == "GET":
            url, _, query = path.partition("?")
            params = dict(p.split("=", 1) for p in query.split("&")) if query else {}
            response = client.get(url, **params)
        else:
            response = client.call(case.method, path, case.body(world) if case.body else {})
    expected = case.expected[role]
    assert response.status_code == expected, (name, role, response.content[:300])
    if expected >= 400:
        assert response.json_body["code"], "errors are {detail, code}"
