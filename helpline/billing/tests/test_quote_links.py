"""Quotes decided from the mail: the signed link approves and the clocks resume; a
forged, re-signed or expired link does nothing and says so; the decision records who, when and
from where; a decline returns the ticket to staff with the reason."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.db import transaction
from django.test import Client

from helpline.billing import ledger, links
from helpline.billing import services as billing
from helpline.billing import services as billing_services
from helpline.billing.models import Quote
from helpline.core import display
from helpline.outbox.models import Outbox
from helpline.sla.defaults import RESOLUTION
from helpline.tickets.models import Status, Ticket, TicketClock, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
T = datetime(2026, 12, 7, 11, 0, tzinfo=IST)  # Monday, business hours
LINK_RE = re.compile(r"http://localhost:8000(/quotes/decide/[^/\s]+/)")
ADDRESS = "203.0.113.9"


def _quoted(cast: Any) -> tuple[Ticket, str]:
    ticket = cast.ticket(
        subject="A custom size chart",
        description="We need a size chart on every product page",
        priority="C4",
        at=T,
    )
    cast.triage(ticket, at=T)
    billing_services.quote_create(
        actor=cast.ravi,
        ticket=ticket,
        amount_inr="12000",
        description="Design and build a size chart block",
        valid_until=T + timedelta(days=3),
        now=T + timedelta(hours=1),
    )
    mail = Outbox.objects.get(kind="quote", channel="email", recipient=cast.alice.email)
    match = LINK_RE.search(mail.payload["body"])
    assert match, mail.payload["body"]
    ticket.refresh_from_db()
    return ticket, match.group(1)


def _resolution(ticket: Ticket) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, kind=RESOLUTION, superseded_at__isnull=True)


def _state(ticket: Ticket) -> tuple[Any, ...]:
    quote = Quote.objects.get(ticket=ticket)
    return (
        Ticket.objects.get(pk=ticket.pk).status,
        quote.status,
        quote.decided_at,
        TicketEvent.objects.filter(ticket=ticket).count(),
    )


def test_the_signed_link_approves_and_the_clock_resumes(cast) -> None:
    ticket, path = _quoted(cast)
    assert ticket.status == Status.AWAITING_APPROVAL
    paused = _resolution(ticket)
    assert paused.paused_since == T + timedelta(hours=1) and paused.deadline is None
    # GST shown in the mail's words too.
    client = Client()
    at = T + timedelta(hours=2)
    with time_machine.travel(at, tick=False):
        page = client.get(path)
        assert page.status_code == 200
        text = page.content.decode()
        assert "₹12,000.00" in text and "₹14,160.00 incl. GST ₹2,160.00" in text  # 18 % GST
        until = display.when(T + timedelta(days=3), "Asia/Kolkata")  # Alice reads IST
        assert f"{until}</time> (in 2 d 22 h)" in text and until.endswith(" IST")
        assert Ticket.objects.get(pk=ticket.pk).status == Status.AWAITING_APPROVAL  # GET: nothing
        done = client.post(path, {"decision": "approve"}, REMOTE_ADDR=ADDRESS)
    assert done.status_code == 200 and b"approved" in done.content
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    running = _resolution(ticket)
    assert running.paused_since is None and running.deadline is not None
    assert running.deadline > paused.started_at + timedelta(hours=1)
    quote = Quote.objects.get(ticket=ticket)
    assert quote.status == Quote.Status.APPROVED
    assert (quote.decided_by_id, quote.decided_at) == (cast.alice.pk, at)
    assert (quote.decided_via, quote.decided_ip) == (Quote.Via.EMAIL_LINK, ADDRESS)
    event = TicketEvent.objects.get(ticket=ticket, kind="quote_approved")
    assert (
        event.public
        and (event.after or {}).get("via") == "email_link"
        and event.actor_id == cast.alice.pk
    )

    # The link cannot decide twice.
    with time_machine.travel(at + timedelta(minutes=1), tick=False):
        again = client.post(path, {"decision": "decline", "reason": "changed my mind"})
    assert again.status_code == 409
    assert Quote.objects.get(ticket=ticket).status == Quote.Status.APPROVED

    # An approved quote is a charge on the merchant's ledger for the month.
    lines = ledger.ledger(user=cast.alice, merchant=cast.acme, month=date(2026, 12, 1))
    assert [(x.kind, x.amount_inr, x.total_inr) for x in lines] == [
        ("quote", Decimal("12000.00"), Decimal("14160.00"))
    ]


@pytest.mark.parametrize("how", ["altered", "resigned", "garbage", "other_user"])
def test_a_forged_link_does_nothing(cast, how: str) -> None:
    ticket, path = _quoted(cast)
    raw = path.split("/")[3]
    quote = Quote.objects.get(ticket=ticket)
    if how == "altered":
        raw = raw[:-2] + ("AA" if raw[-2:] != "AA" else "BB")
    elif how == "resigned":
        payload = {"q": quote.pk, "u": cast.alice.pk, "e": int((T + timedelta(days=9)).timestamp())}
        raw = signing.dumps(payload, salt=links.SALT, key="not-our-secret-key-at-all-0123456789")
    elif how == "garbage":
        raw = "x" * 40
    else:  # a genuine link, but for a user of another merchant
        raw = links.token(quote_id=quote.pk, user_id=cast.bob.pk, expires_at=quote.valid_until)
    before = _state(ticket)
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        response = Client().post(f"/quotes/decide/{raw}/", {"decision": "approve"})
    assert response.status_code in (400, 404)
    assert b"Nothing was approved or declined" in response.content
    assert _state(ticket) == before


def test_an_expired_link_does_nothing(cast) -> None:
    ticket, path = _quoted(cast)
    before = _state(ticket)
    with time_machine.travel(T + timedelta(days=3, minutes=1), tick=False):
        response = Client().post(path, {"decision": "approve"})
    assert response.status_code == 410
    assert b"This link has expired" in response.content
    assert _state(ticket) == before


def test_a_decline_returns_the_ticket_to_staff_with_the_reason(cast) -> None:
    ticket, path = _quoted(cast)
    client = Client()
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        refused = client.post(path, {"decision": "decline"})
        assert refused.status_code == 422 and b"say why" in refused.content
        assert Ticket.objects.get(pk=ticket.pk).status == Status.AWAITING_APPROVAL
        client.post(path, {"decision": "decline", "reason": "Over our budget"})
    ticket.refresh_from_db()
    assert ticket.status == Status.TRIAGED
    event = TicketEvent.objects.get(ticket=ticket, kind="quote_declined")
    assert event.reason == "Over our budget"
    told = Outbox.objects.filter(recipient=cast.ravi.email, kind="quote_declined")
    assert told.exists() and "Over our budget" in told.get().payload["body"]


def test_the_decision_through_the_api_records_where_it_came_from(cast) -> None:
    ticket, _ = _quoted(cast)
    quote = Quote.objects.get(ticket=ticket)
    api = cast.api("alice")
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        response = api.post(f"quotes/{quote.pk}/decision", {"decision": "approve"})
    assert response.status_code == 200, response.content
    assert response.json_body["decided_via"] == "api"
    assert response.json_body["decided_ip"] is None  # merchants do not see addresses
    quote.refresh_from_db()
    assert quote.decided_ip == "127.0.0.1" and quote.decided_by_id == cast.alice.pk


def test_the_support_center_decision_records_the_portal(cast, client) -> None:
    ticket, _ = _quoted(cast)
    client.force_login(cast.alice)
    page = client.get(f"/support/t/{ticket.pk}/")
    text = page.content.decode()
    assert "₹14,160.00 incl. GST ₹2,160.00" in text and "Tell support why you decline" in text
    client.post(f"/support/t/{ticket.pk}/approve/", REMOTE_ADDR=ADDRESS)
    quote = Quote.objects.get(ticket=ticket)
    assert (quote.status, quote.decided_via, quote.decided_ip) == ("approved", "portal", ADDRESS)


def test_subscriptions_are_charged_by_the_day_and_exported(cast) -> None:
    with transaction.atomic():
        sub = billing.subscription_open(
            store=cast.acme_shoes,
            monthly_charge_inr=Decimal("4999"),
            starts_on=date(2026, 10, 15),
            created_by=cast.ada,
            now=T,
        )
        billing.subscription_close(store=cast.acme_shoes, ends_on=date(2026, 11, 3))
    months = {
        m: ledger.ledger(user=cast.ada, merchant=cast.acme, month=date(2026, m, 1))
        for m in (9, 10, 11, 12)
    }
    assert [len(months[m]) for m in (9, 10, 11, 12)] == [0, 1, 1, 0]
    csv_text = ledger.ledger_csv(months[11])
    # 3 of November's 30 days: 4,999 × 3 ÷ 30 = 499.90; GST 18 % = 89.982 → 89.98.
    assert csv_text.splitlines()[1] == (
        f"2026-11,Acme Shoes,subscription,SUB-{sub.pk},"
        '"Account-manager support, 1–3 Nov (3 of 30 days)",499.90,89.98,589.88'
    )
    # October from the 15th: 17 of 31 days = 2,741.387… → 2,741.39; GST 493.4502 → 493.45.
    assert [(x.amount_inr, x.gst_inr) for x in months[10]] == [
        (Decimal("2741.39"), Decimal("493.45"))
    ]
    # Through the API, as CSV.
    response = cast.api("alice").get("merchants/acme/ledger.csv", month="2026-11")
    assert response.status_code == 200 and response.content.decode() == csv_text
    bad = cast.api("alice").get("merchants/acme/ledger", month="2026-13")
    assert bad.status_code == 422 and bad.json_body["code"] == "invalid_month"


def test_the_ledger_from_the_command_line(cast, capsys) -> None:
    from helpline.cli import main

    billing.subscription_open(
        store=cast.acme_shoes,
        monthly_charge_inr=Decimal("4999"),
        starts_on=date(2026, 11, 1),
        created_by=cast.ada,
        now=T,
    )
    assert main(["ledger", "acme", "--month", "2026-11"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ",".join(ledger.COLUMNS) and "Acme Shoes,subscription" in out[1]
    assert main(["ledger", "acme", "--month", "November"]) == 2
    assert '"code": "invalid_month"' in capsys.readouterr().err
