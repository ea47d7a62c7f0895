"""The shared scene of the permission matrices of account management, engineering and quotes
(API and pages): Acme Shoes (Maya's store) with a ticket linked to a developer ticket, another
triaged ticket, one awaiting approval of a quote, a logged call, a call request, a "tell the
merchant" task and a running subscription; Omar manages Bolt Gadgets (the account manager of
another store)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from helpline.account_management import services as am_services
from helpline.accounts import services as accounts
from helpline.billing import services as billing
from helpline.billing import services as billing_services
from helpline.conftest import T0, Api
from helpline.engineering import services as engineering
from helpline.merchants import services as merchants

NOW = T0 + timedelta(hours=1)
ROLES = ["merchant", "agent", "am", "am_other", "engineer", "admin"]
PEOPLE = {"merchant": "alice", "agent": "ravi", "am": "maya", "engineer": "eric", "admin": "ada"}


@dataclass
class World:
    cast: Any
    omar: Any
    tokens: dict[str, str]
    ticket: Any  # Acme Shoes (Maya's), triaged, linked to `dev`
    other: Any  # Acme Shoes, triaged, not linked
    quoted: Any  # Acme Shoes, awaiting approval of `quote`
    dev: Any
    quote: Any
    entry: Any
    call: Any
    task: Any
    subscription: Any

    def api(self, role: str) -> Api:
        return Api(self.tokens[role])


@pytest.fixture
def world(cast) -> World:
    omar = accounts.user_create(
        email="omar@helpline.test", role="account_manager", first_name="Omar"
    )
    merchants.store_assign_account_manager(store=cast.bolt_gadgets, account_manager=omar)
    tokens = {role: cast.tokens[name] for role, name in PEOPLE.items()}
    tokens["am_other"] = accounts.token_create(user=omar, now=T0)[1]

    def triaged(subject: str) -> Any:
        t = cast.ticket(subject=subject, description="d")
        cast.triage(t)
        return t

    ticket, other, quoted = triaged("Linked"), triaged("Other"), triaged("Quoted")
    dev = engineering.devticket_open(actor=cast.ravi, title="Fix", ticket_ids=[ticket.pk], now=T0)
    billing_services.quote_create(
        actor=cast.ravi,
        ticket=quoted,
        amount_inr="1500",
        description="Custom banner",
        valid_until=T0 + timedelta(days=5),
        now=T0,
    )
    entry = am_services.contact_log(
        actor=cast.maya, store=cast.acme_shoes, channel="call", summary="Intro call", now=T0
    )
    call = am_services.call_request_create(
        actor=cast.alice, store=cast.acme_shoes, preferred_times="Mornings", now=T0
    )
    task = am_services.am_task_open(store=cast.acme_shoes, ticket=ticket, title="Tell", now=T0)
    subscription = billing.subscription_open(
        store=cast.acme_shoes,
        monthly_charge_inr=Decimal("4999"),
        starts_on=date(2026, 10, 1),
        created_by=cast.ada,
        now=T0,
    )
    return World(
        cast=cast,
        omar=omar,
        tokens=tokens,
        ticket=ticket,
        other=other,
        quoted=quoted,
        dev=dev,
        quote=quoted.quotes.get(),
        entry=entry,
        call=call,
        task=task,
        subscription=subscription,
    )
