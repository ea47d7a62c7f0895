"""The payload the WhatsApp channel sends: free text, and the approved template used outside
the customer's 24-hour window (the channel chooses when sending)."""

from __future__ import annotations

from typing import Any

TEMPLATE = "helpline_ticket_update"  # approved template: "{{1}}: {{2}}" (reference, summary)


def ticket_update(
    *, reference: str, subject: str, summary: str, body: str | None
) -> dict[str, Any]:
    """What happened on a ticket (``summary``), with the message (``body``) if there is one."""
    text = f"{reference} {subject}: {summary}"
    if body is not None:
        text += f"\n\n{body}"
    return {
        "text": text,
        "template": {"name": TEMPLATE, "language": "en", "params": [reference, summary]},
    }
