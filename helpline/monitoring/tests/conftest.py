from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from helpline.monitoring.tests.sites import LocalSite


@pytest.fixture
def loopback() -> Iterator[None]:
    """Probes may reach loopback (only loopback: private ranges stay refused)."""
    with override_settings(MONITOR_ALLOW_LOOPBACK=True, MONITOR_CONTROL_URL=""):
        yield


@pytest.fixture
def site() -> Iterator[LocalSite]:
    s = LocalSite().up()
    yield s
    s.close()


@pytest.fixture
def sites() -> Iterator[list[LocalSite]]:
    made = [LocalSite().up() for _ in range(3)]
    yield made
    for s in made:
        s.close()
