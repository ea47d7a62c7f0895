"""Web test helpers: sign a cast member in with the test client; the browser fixtures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from helpline.core import clock
from helpline.tickets import services
from helpline.web.tests.browser import (  # noqa: F401 - fixtures for the browser tests
    PASSWORD,
    browser,
    open_session,
    people,
    policy,
)


@pytest.fixture
def signed_in(cast: Any) -> Any:
    """signed_in("alice") → a Client with Alice's session."""

    def make(name: str) -> Client:
        user = getattr(cast, name)
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def file_ticket(cast: Any) -> Any:
    """file_ticket("alice", subject) → a ticket Alice filed a day ago (Bob: on his store)."""

    def make(who: str, subject: str, description: str = "details") -> Any:
        return services.ticket_create(
            actor=getattr(cast, who),
            store=cast.bolt_gadgets if who == "bob" else cast.acme_shoes,
            subject=subject,
            description=description,
            issue_type="functionality",
            now=clock.now() - timedelta(days=1),
        )

    return make
