"""The worker's tests use the fixtures of the apps whose steps it runs."""

from helpline.monitoring.tests.conftest import loopback, site
from helpline.outbox.conftest import smtp

__all__ = ["loopback", "site", "smtp"]
