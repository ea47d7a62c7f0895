"""The conditions notifications put on outbox rows, checked by the outbox when a row falls due
(registered in ``NotificationsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from helpline.tickets import selectors as ticket_selectors


def answered(ticket_id: Any) -> bool:
    """``unless_answered`` (a ticket id) passed: staff met the ticket's first response, or it
    was closed, before the row fell due — the row is not sent."""
    return bool(ticket_selectors.first_response_settled(ticket_id))
