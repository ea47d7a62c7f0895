"""A passed due date with the ticket still open tells the assignee and the team lead at once
(docs/policy.md "Due date and compliance"); the merchant hears nothing of it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.outbox.models import Outbox
from helpline.tickets import services, sweeps

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
HOUR = timedelta(hours=1)


def test_the_assignee_and_the_team_lead_are_told_at_the_due_date(cast) -> None:
    ticket = cast.ticket(at=datetime(2026, 12, 7, 10, tzinfo=IST))
    due = datetime(2026, 12, 10, 18, tzinfo=IST)  # before the policy's deadline: no breach
    ticket = cast.triage(
        ticket, at=datetime(2026, 12, 7, 10, 5, tzinfo=IST), team=cast.team.pk, due_at=due
    )
    services.ticket_reply(actor=cast.ravi, ticket=ticket, body="On it", now=due - HOUR)
    sweeps.clocks_sweep(now=due - HOUR)  # the warnings, told apart
    Outbox.objects.all().delete()
    assert sweeps.due_dates_sweep(now=due + timedelta(hours=3)) == 1
    told = Outbox.objects.filter(ticket=ticket, kind="due_passed", channel="email")
    assert {(o.recipient, o.due_at) for o in told} == {
        ("ravi@helpline.test", due),
        ("lena@helpline.test", due),
    }
    mail = told.get(recipient="lena@helpline.test")
    assert "passed with the ticket still open" in str(mail.payload)
    assert not Outbox.objects.filter(recipient="alice@acme.test", kind="due_passed").exists()
