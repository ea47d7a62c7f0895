"""The timeline's words for each kind of event, and for kinds it does not know."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from helpline.tickets.events import EventKind
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


QUOTE_AFTER = {
    "quote_id": 1,
    "amount_inr": "45000.00",
    "gst_percent": "18",
    "valid_until": "2026-12-10T05:54:00+00:00",
    "due_at": "2026-12-14T05:54:00+00:00",
    "description": "Gift wrapping at checkout",
}
# What each kind's constructor writes (tickets.events), one realistic payload per kind.
PAYLOADS = {
    "created": (None, {"priority": "C2", "status": "new", "issue_type": "functionality"}),
    "status": ("new", "triaged"),
    "priority": ("C3", "C2"),
    "issue_type": ("functionality", "design"),
    "assignee": (None, 7),
    "team": (None, 3),
    "due_date": (None, "2026-12-14T05:54:00+00:00"),
    "due_passed": (None, {"due_at": "2026-12-14T05:54:00+00:00"}),
    "message": (None, {"message_id": 4, "kind": "reply", "question": False, "from_staff": True}),
    "note": (None, {"message_id": 5, "kind": "note", "question": False, "from_staff": True}),
    "quote": (None, QUOTE_AFTER),
    "quote_approved": (None, {"quote_id": 1, "via": "web"}),
    "quote_declined": (None, {"quote_id": 1, "via": "web"}),
    "quote_expired": (None, {"quote_id": 1, "via": "system"}),
    "workaround": (None, None),
    "resolved": (None, None),
    "reopened": (None, None),
    "withdrawn": (None, None),
    "rating": (None, {"rating": 5, "comment": ""}),
    "sla_warning": (
        None,
        {
            "target": "resolution",
            "priority": "C2",
            "percent": 75,
            "deadline": QUOTE_AFTER["due_at"],
        },
    ),
    "sla_breached": (None, {"target": "resolution", "at": QUOTE_AFTER["due_at"]}),
    "sla_met": (None, {"target": "resolution", "business_seconds": 60, "late": False}),
    "sla_resumed": ({"met_at": None}, {"target": "resolution", "deadline": QUOTE_AFTER["due_at"]}),
    "sla_restarted": (
        {"deadline": None},
        {"target": "resolution", "priority": "C2", "deadline": QUOTE_AFTER["due_at"]},
    ),
    "sla_recomputed": (None, {"target": "resolution", "deadline": QUOTE_AFTER["due_at"]}),
    "escalated": (None, {"dev_tickets": ["DEV-1"]}),
    "engineering_done": (None, {"dev_tickets": ["DEV-1"]}),
    "engineering_reopened": (None, {"dev_tickets": ["DEV-1"]}),
    "engineering_eta": (None, {"dev_ticket": "DEV-1", "eta": QUOTE_AFTER["due_at"]}),
    "incident_linked": (None, {"master": 9}),
    "incident_child_added": (None, {"child": 10}),
    "incident_unlinked": (None, {"master": 9}),
    "platform_incident": (None, {"incident": 2}),
    "merged": (None, {"tickets": [11, 12]}),
    "merged_into": (None, {"ticket": 13}),
    "follow_up_of": (None, {"ticket": 4, "reference": "HL-4"}),
    "unverified_sender": (None, {"address": "x@example.test"}),
    "merchant_asks_priority": (None, {"asked": "C1", "current": "C3", "message_id": 9}),
    "monitor": (None, {"message_id": 3}),
    "unrouted": (None, {"team": 3, "notify": True}),
    "personal_data_erased": (None, {"pseudonym": "p-1", "messages": 3, "attachments": 1}),
    "root_cause": (
        None,
        {"report": 1, "title": "Checkout outage", "url": "https://x.test/status/root-cause/1/"},
    ),
    "retention_purged": (
        None,
        {"closed_at": QUOTE_AFTER["due_at"], "messages": 2, "attachments": 0},
    ),
}
RAW = re.compile(r"\d{4}-\d\d-\d\dT|_id\b|\b[a-z]+_[a-z_]+\b|\{|\}|\bTrue\b|\bFalse\b|\bNone\b")


def test_every_kind_reads_in_words_never_a_raw_dump():
    """Issue 22, item 7: no identifiers, ISO instants, snake_case keys or dict braces."""
    assert set(PAYLOADS) == {k.value for k in EventKind}, "a kind without a payload here"
    for kind, (before, after) in PAYLOADS.items():
        event = TicketEvent(kind=kind, before=before, after=after, reason="")
        text = event_text(event, names={7: "Lena"}, zone=IST, teams={3: "Payments"})
        assert text and not RAW.search(text), (kind, text)


def test_the_quote_in_the_history_says_what_when_and_how_much():
    event = TicketEvent(kind="quote", after=QUOTE_AFTER, reason="")
    assert event_text(event, names={}, zone=IST) == (
        "Quote of ₹53,100.00 incl. GST ₹8,100.00 for “Gift wrapping at checkout”,"
        " valid until Thu 10 Dec 2026, 11:24 IST, due Mon 14 Dec 2026, 11:24 IST if approved"
    )
    team = TicketEvent(kind="team", before=None, after=3, reason="")
    assert event_text(team, names={}, zone=IST, teams={3: "Payments"}) == (
        "Moved to the team Payments"
    )
