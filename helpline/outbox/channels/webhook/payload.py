"""The payload the webhook channel sends: ``{"endpoint_id", "body"}``, the body being the
event as receivers read it (the wire format: change it and every receiver breaks)."""

from __future__ import annotations

from typing import Any


def ticket_event(*, endpoint_id: int, event: Any, ticket: Any) -> dict[str, Any]:
    """One ticket event (a ``TicketEvent`` and its ``Ticket``, read by attribute)."""
    return {
        "endpoint_id": endpoint_id,
        "body": {
            "event_id": event.pk,
            "event": event.kind,
            "at": event.created_at.isoformat(),
            "public": event.public,
            "before": event.before,
            "after": event.after,
            "reason": event.reason,
            "ticket": {
                "id": ticket.pk,
                "reference": ticket.reference,
                "subject": ticket.subject,
                "priority": ticket.priority,
                "status": ticket.status,
                "store_id": ticket.store_id,
                "merchant_id": ticket.merchant_id,
            },
        },
    }
