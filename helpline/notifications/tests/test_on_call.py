"""The on-call rota, C1 after hours paging, and the lead 30 minutes later if nobody answered."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.outbox.models import OnCallOverride, OnCallShift, Outbox, State
from helpline.routing.selectors import on_call_at
from helpline.tickets import services as tickets
from helpline.worker import run_once

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
NIGHT = datetime(2026, 12, 8, 2, 0, tzinfo=IST)  # Tuesday 02:00, outside business hours
DAY = datetime(2026, 12, 8, 11, 0, tzinfo=IST)
# A C1 on Acme Outlet: no account manager, so only the rota's people hear of it.
STORE_DOWN: dict[str, Any] = {
    "subject": "Store down",
    "description": "Nobody can check out",
    "priority": "C1",
}


@pytest.fixture
def rota(cast):
    cast.ravi.whatsapp = "+919800000001"
    cast.ravi.save(update_fields=["whatsapp"])
    # Ravi: Monday 18:00 → Tuesday 10:00 (past midnight); Lena: Tuesday days.
    OnCallShift.objects.create(user=cast.ravi, weekday=0, start=time(18), end=time(10))
    OnCallShift.objects.create(user=cast.lena, weekday=1, start=time(10), end=time(18))
    return cast


def test_who_is_on_call(rota) -> None:
    assert on_call_at(datetime(2026, 12, 7, 17, 59, tzinfo=IST)) == []
    assert on_call_at(datetime(2026, 12, 7, 18, 0, tzinfo=IST)) == [rota.ravi]
    assert on_call_at(NIGHT) == [rota.ravi]  # past midnight, into Tuesday
    assert on_call_at(DAY) == [rota.lena]
    OnCallOverride.objects.create(
        user=rota.ada, starts_at=NIGHT - timedelta(hours=1), ends_at=NIGHT + timedelta(hours=1)
    )
    assert on_call_at(NIGHT) == [rota.ada]  # the override replaces the rota
    assert on_call_at(NIGHT + timedelta(hours=1)) == [rota.ravi]


def test_c1_after_hours_pages_the_on_call_by_email_and_whatsapp(rota) -> None:
    ticket = rota.ticket(store=rota.acme_outlet, **STORE_DOWN, at=NIGHT)
    sent = set(Outbox.objects.filter(ticket=ticket).values_list("channel", "recipient", "kind"))
    assert ("email", "ravi@helpline.test", "created") in sent
    assert ("whatsapp", "+919800000001", "created") in sent


def test_c1_in_business_hours_pages_nobody(rota) -> None:
    ticket = rota.ticket(store=rota.acme_outlet, **STORE_DOWN, at=DAY)
    # (No routing set up: the admins hear that nobody could be assigned — decision 0122.)
    sent = Outbox.objects.filter(ticket=ticket).exclude(kind="unrouted")
    assert set(sent.values_list("recipient", flat=True)) == {"alice@acme.test"}


def test_the_lead_hears_after_30_minutes_if_nobody_answered(rota) -> None:
    ticket = rota.ticket(store=rota.acme_outlet, **STORE_DOWN, at=NIGHT)
    escalation = Outbox.objects.get(ticket=ticket, kind="c1_unanswered", channel="email")
    assert escalation.recipient == "lena@helpline.test"  # the lead of the only team
    assert escalation.due_at == NIGHT + timedelta(minutes=30)
    run_once(now=NIGHT + timedelta(minutes=29))
    escalation.refresh_from_db()
    assert escalation.state == State.PENDING
    run_once(now=NIGHT + timedelta(minutes=30))
    escalation.refresh_from_db()
    assert escalation.state == State.DONE
    assert escalation.last_error == ""


def test_the_lead_is_not_paged_when_staff_answered_in_time(rota) -> None:
    ticket = rota.ticket(store=rota.acme_outlet, **STORE_DOWN, at=NIGHT)
    tickets.ticket_reply(
        actor=rota.ravi, ticket=ticket, body="Looking now", now=NIGHT + timedelta(minutes=12)
    )
    result = run_once(now=NIGHT + timedelta(minutes=31))
    escalation = Outbox.objects.get(ticket=ticket, kind="c1_unanswered", channel="email")
    assert escalation.state == State.DONE
    assert "answered in time" in escalation.last_error
    assert result.delivered["skipped"] >= 1
