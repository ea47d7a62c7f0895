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


SURVEY_TEMPLATE = "helpline_csat"  # approved: "{{1}}" (the question), five quick-reply buttons


def notice(*, text: str, reference: str, language: str = "en") -> dict[str, Any]:
    """A short answer to something the customer sent (inside the window, free text)."""
    return {
        "text": text,
        "template": {"name": TEMPLATE, "language": language, "params": [reference, text]},
    }


def survey(
    *,
    question: str,
    button: str,
    choices: list[tuple[str, str]],
    language: str,
    reference: str,
) -> dict[str, Any]:
    """A question with up to ten reply choices (``(id, title)``): inside the customer's window an
    interactive list (reply buttons stop at three), outside it the approved template whose
    quick-reply buttons carry the same ids (decision 0201)."""
    return {
        "text": question,
        "interactive": {
            "body": question,
            "button": button[:20],
            "rows": [{"id": i, "title": title[:24]} for i, title in choices],
        },
        "template": {
            "name": SURVEY_TEMPLATE,
            "language": language,
            "params": [question],
            "buttons": [i for i, _ in choices],
        },
    }
