from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from helpline.outbox.tests.servers import SmtpSink


@pytest.fixture(autouse=True)
def _mail_settings(tmp_path: Any) -> Iterator[None]:
    with override_settings(
        SUPPORT_ADDRESS="Helpline <support@helpline.test>",
        MEDIA_ROOT=str(tmp_path / "media"),
        MAIL_UNKNOWN_SENDERS="triage",
    ):
        yield


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    with override_settings(**sink.settings()):
        yield sink
    sink.stop()
