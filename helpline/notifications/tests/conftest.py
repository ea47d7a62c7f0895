"""The outbox's fixtures (an SMTP sink on loopback, …): notifications are delivered by it."""

from helpline.outbox.conftest import (
    admin_client,
    loopback_allowed,
    smtp,
    whatsapp_settings,
)

__all__ = ["admin_client", "loopback_allowed", "smtp", "whatsapp_settings"]
