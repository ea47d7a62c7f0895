"""The outbox's fixtures (an SMTP sink on loopback, …): notifications are delivered by it."""

from helpline.outbox.tests.conftest import loopback_allowed, smtp, whatsapp_settings

__all__ = ["loopback_allowed", "smtp", "whatsapp_settings"]
