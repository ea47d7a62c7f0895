"""Fixtures of the API tests: ``world`` (helpline.api.tests.world)."""

from helpline.api.tests.world import world  # noqa: F401 - a fixture
