"""Every notification a person reads is written for them: times in their zone with the zone
named, never an ISO string, amounts as people write them (never "inr"). Every event kind goes
through the real rules for a merchant in Asia/Kolkata and one in Europe/London (their staff in
the same zone), and every channel that renders text is read: mail subject, text and HTML
bodies, WhatsApp text and template parameters, the acknowledgement of a mail ticket."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from helpline.accounts.models import User
from helpline.mail.listeners import Opened
from helpline.notifications import acknowledgement, rules
from helpline.outbox.models import Outbox
from helpline.tickets import events as ev
from helpline.tickets.events import EventKind, EventSpec
from helpline.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d[tT ]\d\d:\d\d")
LOWER_CODE = re.compile(r"\b(inr|usd|eur|gbp)\b")
AT = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)  # Tue 8 Dec 2026, 09:30 IST / 04:00 GMT
DUE = datetime(2026, 12, 8, 12, 30, tzinfo=UTC)
ZONES = {"alice": ("Asia/Kolkata", "IST"), "bob": ("Europe/London", "GMT")}


def _specs() -> dict[str, EventSpec]:
    """One event of every kind, carrying the instants and amounts it carries in real life."""
    quote = SimpleNamespace(
        pk=7,
        amount_inr=Decimal("5000.00"),
        gst_percent=Decimal("18.00"),
        valid_until=DUE + timedelta(days=8),
        description="Theme repair",
        decided_via="email",
        due_at=DUE + timedelta(days=10),
    )
    refs = ["DEV-3"]
    made = [
        ev.created(
            status="new",
            priority="C1",
            issue_type="functionality",
            channel="portal",
            first_response_due=DUE,
            resolution_due=DUE + timedelta(days=1),
            policy_version=1,
            unverified_sender=False,
            on_behalf_of=None,
            at=AT,
        ),
        ev.status(before="new", after="in_progress"),
        ev.priority(before="C2", after="C1", reason="checkout down"),
        ev.issue_type(before="functionality", after="outage", reason="down"),
        ev.assignee(before=None, after=None),
        ev.unrouted(team=None, reason="nobody on shift", notify=True),
        ev.team(before=None, after=None),
        ev.due_date(before=DUE, after=DUE + timedelta(days=2), reason="engineering ETA"),
        EventSpec(EventKind.MESSAGE, after={"from_staff": True, "question": True}, public=True),
        EventSpec(EventKind.NOTE, after={}),
        ev.monitor(message_id=0, public=True),
        ev.quote(quote=quote),
        ev.quote_approved(quote=quote),
        ev.quote_declined(quote=quote, reason="too dear"),
        ev.quote_expired(quote=quote, reason="not decided in time"),
        ev.workaround(reason="clear the cache"),
        ev.resolved(reason="fixed"),
        ev.reopened(reason="back again"),
        ev.withdrawn(reason="not needed"),
        ev.rating(rating=5, comment="quick"),
        ev.sla_warning(target="first_response", priority="C1", percent=50, deadline=DUE, at=AT),
        ev.due_passed(due_at=DUE),
        ev.sla_breached(target="first_response", priority="C1", at=DUE),
        ev.sla_met(
            target="first_response",
            priority="C1",
            business_seconds=600,
            wall_seconds=600,
            late=False,
            at=AT,
        ),
        ev.sla_resumed(target="resolution", met_at=AT, deadline=DUE, at=AT),
        ev.sla_restarted(target="resolution", priority="C1", deadline=DUE),
        ev.sla_recomputed(
            target="resolution", before=AT, deadline=DUE, reason="holiday added", at=AT
        ),
        ev.escalated(references=refs),
        ev.engineering_done(references=refs),
        ev.engineering_reopened(references=refs),
        ev.engineering_eta(reference="DEV-3", eta=DUE),
        ev.incident_linked(before=None, master=1),
        ev.incident_child_added(ticket=1),
        ev.incident_unlinked(before=1),
        ev.platform_incident(incident=1, title="Many stores unreachable", at_opening=False),
        ev.root_cause(report=1, title="Many stores unreachable", url="https://h.test/status/"),
        ev.merged(came={"reference": "HL-9"}, reason="same outage"),
        ev.merged_into(into={"reference": "HL-1"}, reason="same outage"),
        ev.follow_up_of(ticket=1, reference="HL-1"),
        ev.unverified_sender(address="x@example.test", message_id=0),
        ev.merchant_asks_priority(asked="C1", current="C2", message_id=0),
        ev.personal_data_erased(pseudonym="person-7f3a", messages=2, attachments=1),
        ev.retention_purged(closed_at=AT, messages=3, attachments=0),
    ]
    return {spec.kind: spec for spec in made}


def _texts(payload: dict[str, Any]) -> list[str]:
    """Everything of a payload a person reads."""
    texts = [str(payload.get(key, "")) for key in ("subject", "body", "html", "text")]
    template = payload.get("template") or {}
    return texts + [str(p) for p in template.get("params", [])]


def _check(text: str, abbreviation: str) -> None:
    assert not ISO_TIME.search(text), text
    assert not LOWER_CODE.search(text), text


def _readers(cast: Any, name: str) -> tuple[Ticket, str]:
    zone, abbreviation = ZONES[name]
    # Every member of staff reads in the merchant's zone here (a breach reaches the admins too).
    User.objects.exclude(role="merchant").update(time_zone=zone, whatsapp="+911234567890")
    User.objects.filter(pk=getattr(cast, name).pk).update(whatsapp="+447700900123")
    store = cast.acme_shoes if name == "alice" else cast.bolt_gadgets
    if name == "bob":
        store.account_manager = cast.maya  # so that an account manager hears of Bolt too
        store.save(update_fields=["account_manager"])
    ticket = cast.ticket(who=name, priority="C1", at=AT)
    cast.triage(ticket, assignee=cast.ravi.pk, team=cast.team, at=AT + timedelta(minutes=1))
    return Ticket.objects.get(pk=ticket.pk), abbreviation


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_every_event_kind_in_every_channel_is_written_for_its_reader(cast, name) -> None:
    ticket, abbreviation = _readers(cast, name)
    specs = _specs()
    assert set(specs) == set(EventKind), "a new event kind needs its words checked here"
    timed = {EventKind.CREATED, EventKind.DUE_DATE, EventKind.SLA_WARNING, EventKind.QUOTE}
    timed |= {EventKind.SLA_BREACHED, EventKind.DUE_PASSED}
    rendered = 0
    for kind, spec in specs.items():
        event = TicketEvent.objects.create(
            ticket=ticket,
            actor=None,
            kind=spec.kind,
            before=spec.before,
            after=spec.after,
            reason=spec.reason,
            public=spec.public,
            created_at=AT + timedelta(minutes=5),
        )
        made = rules.notifications_for(ticket=ticket, actor=cast.ada, events=[event])
        people = [n for n in made if n.channel in ("email", "whatsapp", "digest")]
        for note in people:
            for text in _texts(note.payload):
                _check(text, abbreviation)
                rendered += 1
        if kind in timed:
            told = [n for n in people if n.kind == kind]  # not a "C1 unanswered" page
            assert told, f"nobody hears of {kind}"
            assert all(abbreviation in " ".join(_texts(n.payload)) for n in told), kind
    assert rendered > 100


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_the_quote_names_the_billed_total_with_gst_in_the_readers_zone(cast, name) -> None:
    ticket, _ = _readers(cast, name)
    spec = _specs()[EventKind.QUOTE]
    event = TicketEvent.objects.create(
        ticket=ticket, kind=spec.kind, after=spec.after, public=True, created_at=AT
    )
    made = rules.notifications_for(ticket=ticket, actor=cast.ravi, events=[event])
    mail = next(n for n in made if n.channel == "email" and n.recipient.endswith("test"))
    until = "Wed 16 Dec 2026, 18:00 IST" if name == "alice" else "Wed 16 Dec 2026, 12:30 GMT"
    assert (
        f"A quote of ₹5,900.00 incl. GST ₹900.00 awaits your approval until {until}."
        in mail.payload["body"]
    )


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_the_acknowledgement_of_a_mail_ticket_says_the_due_time_in_the_merchants_zone(
    cast, name
) -> None:
    ticket, abbreviation = _readers(cast, name)
    Outbox.objects.all().delete()
    acknowledgement.mail_ticket_opened(
        Opened(
            ticket=ticket,
            sender=getattr(cast, name).email,
            automatic="",
            message_id="m1@example.test",
            references=[],
            refused=["virus.exe (not allowed)"],
            inbound_key="m1@example.test",
            now=AT,
        )
    )
    row = Outbox.objects.get(kind=acknowledgement.KIND)
    for text in _texts(row.payload):
        _check(text, abbreviation)
    due = rf"answered by (<strong>)?\w{{3}} \d+ \w{{3}} 2026, \d\d:\d\d {abbreviation}"
    assert re.search(due, row.payload["body"]), row.payload["body"]
    assert re.search(due, row.payload["html"]), row.payload["html"]
