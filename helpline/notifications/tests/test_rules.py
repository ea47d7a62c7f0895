"""Who hears what, written by the ticket services in their own transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.outbox.models import Outbox
from helpline.tickets import services as tickets
from helpline.tickets import sweeps

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
MON = datetime(2026, 12, 7, 11, 0, tzinfo=IST)  # Monday, business hours


def heard(channel: str = "email") -> list[tuple[str, str]]:
    # Routing's notice that nobody could be assigned (no routes here: the admins) aside.
    rows = Outbox.objects.filter(channel=channel).exclude(kind="unrouted").order_by("pk")
    return [(r.recipient, r.kind) for r in rows]


def fresh() -> None:
    Outbox.objects.all().delete()


def test_acknowledgement_to_the_merchant_and_c1_to_the_account_manager(cast) -> None:
    cast.ticket(priority="C3", at=MON)
    assert heard() == [("alice@acme.test", "created")]
    fresh()
    cast.ticket(priority="C1", at=MON)
    assert sorted(heard()) == [("alice@acme.test", "created"), ("maya@helpline.test", "created")]


def test_staff_reply_to_the_merchant_merchant_reply_to_the_assignee(cast) -> None:
    ticket = cast.ticket(at=MON)
    cast.triage(ticket, assignee=cast.ravi, team=cast.team, at=MON + timedelta(minutes=5))
    assert ("ravi@helpline.test", "assignee") not in heard()  # ravi assigned himself
    fresh()
    tickets.ticket_reply(
        actor=cast.ravi,
        ticket=ticket,
        body="Which page?",
        question=True,
        now=MON + timedelta(minutes=10),
    )
    rows = list(Outbox.objects.all())
    assert [(r.recipient, r.kind) for r in rows] == [("alice@acme.test", "message")]
    assert "Which page?" in rows[0].payload["body"]  # one mail: the reply and the status change
    assert "waiting on merchant" in rows[0].payload["subject"]
    fresh()
    tickets.ticket_reply(
        actor=cast.alice, ticket=ticket, body="The product page", now=MON + timedelta(minutes=20)
    )
    assert heard() == [("ravi@helpline.test", "message")]
    fresh()
    tickets.ticket_reply(
        actor=cast.ravi,
        ticket=ticket,
        body="internal",
        internal=True,
        now=MON + timedelta(minutes=30),
    )
    assert heard() == []  # an internal note reaches no merchant


def test_assignment_reaches_the_new_assignee(cast) -> None:
    ticket = cast.ticket(at=MON)
    fresh()
    tickets.ticket_triage(actor=cast.ravi, ticket=ticket, assignee=cast.lena, now=MON)
    assert ("lena@helpline.test", "assignee") in heard() or ("lena@helpline.test", "status") in [
        (r, k) for r, k in heard()
    ]
    assert {r for r, _ in heard()} == {"lena@helpline.test", "alice@acme.test"}


def test_the_escalation_chain_assignee_then_lead_then_admins(cast) -> None:
    ticket = cast.ticket(priority="C1", at=MON)  # 2 h first response, 24×7
    cast.triage(ticket, assignee=cast.ravi, team=cast.team, at=MON + timedelta(minutes=1))
    fresh()
    sweeps.clocks_sweep(now=MON + timedelta(hours=1))
    assert heard() == [("ravi@helpline.test", "sla_warning")]  # 50 %: the assignee
    fresh()
    sweeps.clocks_sweep(now=MON + timedelta(hours=1, minutes=30))
    assert sorted(heard()) == [  # 75 %: the assignee and the lead
        ("lena@helpline.test", "sla_warning"),
        ("ravi@helpline.test", "sla_warning"),
    ]
    fresh()
    sweeps.clocks_sweep(now=MON + timedelta(hours=2))
    assert sorted(heard()) == [  # the breach: the lead and the admins (on-call: nobody now)
        ("ada@helpline.test", "sla_breached"),
        ("lena@helpline.test", "sla_breached"),
    ]


def test_whatsapp_for_c1_to_staff_with_a_number(cast) -> None:
    cast.ravi.whatsapp = "+919800000001"
    cast.ravi.save(update_fields=["whatsapp"])
    ticket = cast.ticket(priority="C1", at=MON)
    cast.triage(ticket, assignee=cast.ravi, team=cast.team, at=MON + timedelta(minutes=1))
    sweeps.clocks_sweep(now=MON + timedelta(hours=1, minutes=30))
    assert ("+919800000001", "sla_warning") in heard("whatsapp")
    payload = Outbox.objects.filter(channel="whatsapp").last().payload  # type: ignore[union-attr]
    assert payload["template"]["params"][0] == ticket.reference


def test_webhooks_get_every_event_they_want(cast) -> None:
    from helpline.outbox import services

    services.webhook_endpoint_create(
        name="slack", url="https://hooks.example.test/x", secret="s" * 20, events=["sla_breached"]
    )
    services.webhook_endpoint_create(
        name="public", url="https://in.example.test/y", secret="t" * 20, internal=False
    )
    ticket = cast.ticket(priority="C1", at=MON)
    sweeps.clocks_sweep(now=MON + timedelta(hours=2))
    slack = Outbox.objects.filter(channel="webhook", recipient__contains="hooks")
    assert sorted(slack.values_list("kind", flat=True)) == ["sla_breached"]
    public = Outbox.objects.filter(channel="webhook", recipient__contains="in.example")
    assert "created" in public.values_list("kind", flat=True)
    assert "sla_warning" not in public.values_list("kind", flat=True)  # internal
    body = slack.get().payload["body"]
    assert body["ticket"]["reference"] == ticket.reference


def test_webhook_endpoints_are_read_once_a_change_and_afresh_for_the_next(cast) -> None:
    # A creation is heard twice (routing's "unrouted" event inside it): one read of the
    # endpoints serves both, and the next change reads them again (decision 0198).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from helpline.outbox import services
    from helpline.tickets import listeners

    services.webhook_endpoint_create(name="a", url="https://a.example.test/x", secret="s" * 20)
    with CaptureQueriesContext(connection) as ctx:
        cast.ticket(at=MON)
    assert sum("notify_webhookendpoint" in q["sql"] for q in ctx.captured_queries) == 1
    kinds = Outbox.objects.filter(channel="webhook").values_list("kind", flat=True)
    assert sorted(kinds) == ["created", "unrouted"]
    fresh()
    services.webhook_endpoint_create(name="b", url="https://b.example.test/y", secret="t" * 20)
    cast.ticket(at=MON)
    hooks = Outbox.objects.filter(channel="webhook", kind="created")
    assert sorted(hooks.values_list("recipient", flat=True)) == [
        "https://a.example.test/x",
        "https://b.example.test/y",
    ]
    listeners.change_memo()["kept"] = True  # outside a change: nothing is kept
    assert listeners.change_memo() == {}
