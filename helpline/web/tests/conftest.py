"""Web test helpers: sign a cast member in with the test client; the browser fixtures."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

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
