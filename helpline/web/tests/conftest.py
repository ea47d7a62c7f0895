"""Web test helpers: sign a cast member in with the test client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

PASSWORD = "correct horse battery staple"


@pytest.fixture
def signed_in(cast: Any) -> Any:
    """signed_in("alice") → a Client with Alice's session."""

    def make(name: str) -> Client:
        user = getattr(cast, name)
        client = Client()
        client.force_login(user)
        return client

    return make
