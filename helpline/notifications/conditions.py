"""The conditions notifications put on outbox rows, checked by the outbox when a row falls due
(registered in ``NotificationsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from helpline.monitoring import selectors as monitoring_selectors
from helpline.tickets import selectors as ticket_selectors


def answered(ticket_id: Any) -> bool:
    """``unless_answered`` (a ticket id) passed: staff met the ticket's first response, or it
    was closed, before the row fell due — or the ticket joined a platform incident meanwhile,
    whose one page stands for it — so the row is not sent."""
    return bool(ticket_selectors.first_response_settled(ticket_id)) or (
        monitoring_selectors.incident_of_ticket(int(ticket_id)) is not None
    )
