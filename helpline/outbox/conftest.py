from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from helpline.conftest import Cast
from helpline.outbox.tests.servers import SmtpSink


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A running SMTP sink on loopback, with Django's mail settings pointed at it."""
    sink = SmtpSink()
    sink.start()
    with override_settings(**sink.settings()):
        yield sink
    sink.stop()


@pytest.fixture
def loopback_allowed() -> Iterator[None]:
    with override_settings(HELPLINE_HTTP_ALLOW_PRIVATE=True):
        yield


@pytest.fixture
def whatsapp_settings() -> Any:
    def configure(url: str) -> Any:
        return override_settings(
            WHATSAPP_API_URL=url, WHATSAPP_PHONE_NUMBER_ID="1055", WHATSAPP_TOKEN="test-token"
        )

    return configure


@pytest.fixture
def admin_client(cast: Cast) -> Client:
    client = Client()
    cast.ada.set_password("admin-pass-123")
    cast.ada.save(update_fields=["password"])
    assert client.login(email="ada@helpline.test", password="admin-pass-123")
    return client
