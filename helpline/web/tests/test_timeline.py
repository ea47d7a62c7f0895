"""The timeline's words for each kind of event, and for kinds it does not know."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from helpline.tickets.models import TicketEvent
from helpline.web.timeline import event_text

IST = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    ("kind", "before", "after", "reason", "text"),
    [
        ("created", None, {"priority": "C2", "status": "new"}, "", "Opened as C2"),
        ("escalated", None, {"dev_tickets": ["DEV-3"]}, "", "Escalated to engineering (DEV-3)"),
        (
            "merchant_asks_priority",
            None,
            {"asked": "C1", "current": "C3", "message_id": 9},
            "",
            "Merchant asks for C1 (now C3)",
        ),
        ("follow_up_of", None, {"ticket": 4, "reference": "HL-4"}, "", "Follow-up of HL-4"),
        (
            "engineering_eta",
            None,
            {"dev_ticket": "DEV-2", "eta": "2026-12-01T12:30:00+00:00"},
            "",
            "Engineering ETA Tue 1 Dec 2026, 18:00 IST (DEV-2)",
        ),
        ("status", "triaged", "in_progress", "", "Status Triaged → In progress"),
        ("assignee", None, 7, "", "Assigned to Lena"),
        ("assignee", 7, None, "", "Unassigned"),
        (
            "due_date",
            "2026-12-01T12:30:00+00:00",
            "2026-12-03T12:30:00+00:00",
            "waits on a release",
            "Due date Thu 3 Dec 2026, 18:00 IST (was Tue 1 Dec 2026, 18:00 IST)"
            " — waits on a release",
        ),
        ("message", None, {"kind": "reply", "question": True}, "", "Question to the merchant"),
        ("note", None, {"kind": "note", "question": False}, "", "Internal note"),
        ("rating", None, {"rating": 4, "comment": "quick"}, "", "Rated 4 of 5: “quick”"),
        ("sla_breached", None, {"target": "first_response"}, "", "First response target breached"),
        (
            "sla_restarted",
            None,
            {"target": "resolution", "deadline": "2026-12-02T04:30:00+00:00"},
            "",
            "Resolution target restarted, due Wed 2 Dec 2026, 10:00 IST",
        ),
        (
            "sla_met",
            None,
            {"target": "first_response", "business_seconds": 4500, "late": True},
            "",
            "First response target met late (1 h 15 min)",
        ),
        ("workaround", None, None, "", "Workaround recorded"),
        # A kind another app adds later still reads: its name and its values.
        ("frobnicated", None, {"widget": "W-4"}, "", "Frobnicated: widget W-4"),
        ("merchant_asks", "C3", "C1", "subject tag", "Merchant asks: C3 → C1 — subject tag"),
    ],
)
def test_event_text(kind, before, after, reason, text):
    event = TicketEvent(kind=kind, before=before, after=after, reason=reason)
    assert event_text(event, names={7: "Lena"}, zone=IST) == text
