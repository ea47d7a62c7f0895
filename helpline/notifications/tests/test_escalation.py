"""Who the escalation chain's steps reach (docs/policy.md, "Ownership and routing"): the policy's
names, and one level up when they reach nobody — never nobody at all."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from helpline.accounts.models import User
from helpline.notifications import audience
from helpline.outbox.models import OnCallShift, Outbox
from helpline.tickets import sweeps
from helpline.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
SUPPORT = "support@helpline.test"


def ist(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=IST)


def told(event: TicketEvent) -> list[str]:
    """Who heard of one warning or breach: the people the rules chose, or the support mailbox."""
    people = [u.email for u, _ in audience.audience(event, event.ticket, None)]
    unheard = Outbox.objects.filter(idempotency_key=f"ev{event.pk}.unheard")
    return people + [row.recipient for row in unheard]


def steps(ticket: Ticket) -> dict[str, list[str]]:
    """``"first_response 50"`` (or ``"resolution breach"``) → who was told, in order."""
    out = {}
    for e in TicketEvent.objects.filter(ticket=ticket, kind__startswith="sla_").order_by("pk"):
        after = e.after if isinstance(e.after, dict) else {}
        if e.kind in ("sla_warning", "sla_breached"):
            out[f"{after['target']} {after.get('percent', 'breach')}"] = sorted(told(e))
    return out


def test_a_c1_mailed_at_2am_on_sunday_with_no_team_reaches_admins_and_the_on_call(cast) -> None:
    """The auditor's case: no assignee, no team (nobody was on call when it came, so routing
    found nobody). Every step reaches someone."""
    ticket = cast.ticket(at=ist(6, 2), priority="C1")  # Sunday 6 Dec 02:00 IST
    assert ticket.team_id is None and ticket.assignee_id is None
    OnCallShift.objects.create(user=cast.ravi, weekday=5, start=time(18), end=time(10))
    sweeps.clocks_sweep(now=ist(6, 5))  # first response: 2 h on 24×7; resolution 6 h
    assert steps(ticket) == {
        "first_response 50": ["ada@helpline.test"],  # nobody assigned, no lead: the admins
        "first_response 75": ["ada@helpline.test"],
        "first_response breach": ["ada@helpline.test", "ravi@helpline.test"],  # + on-call
        "resolution 50": ["ada@helpline.test"],  # 3 of 6 h
    }
    mails = Outbox.objects.filter(recipient="ada@helpline.test", kind__startswith="sla_")
    assert mails.exists()


def test_a_triaged_ticket_climbs_the_chain(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))  # C3: first response steps 14:00, 16:00, breach 18:00
    cast.triage(ticket, team=cast.team, at=ist(7, 11))  # Ravi assigned, Lena leads
    sweeps.clocks_sweep(now=ist(7, 18))
    assert steps(ticket) == {
        "first_response 50": ["ravi@helpline.test"],
        "first_response 75": ["lena@helpline.test", "ravi@helpline.test"],
        "first_response breach": ["ada@helpline.test", "lena@helpline.test"],
    }


def test_an_unassigned_step_goes_to_the_lead_and_an_absent_lead_one_level_up(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))
    cast.triage(ticket, team=cast.team, assignee=None, at=ist(7, 11))
    Ticket.objects.filter(pk=ticket.pk).update(assignee=None)
    sweeps.clocks_sweep(now=ist(7, 14))
    assert steps(ticket) == {"first_response 50": ["lena@helpline.test"]}
    User.objects.filter(pk=cast.lena.pk).update(is_active=False)
    sweeps.clocks_sweep(now=ist(7, 16))
    assert steps(ticket)["first_response 75"] == ["ada@helpline.test"]


def test_a_fresh_install_with_only_an_admin_leaves_no_step_unheard(cast) -> None:
    User.objects.exclude(role__in=["admin", "merchant"]).update(is_active=False)
    tickets = [cast.ticket(at=ist(7, 10), priority=p) for p in ("C1", "C2", "C3", "C4")]
    sweeps.clocks_sweep(now=ist(31, 23))
    heard = [who for t in tickets for who in steps(t).values()]
    assert len(heard) >= 4 * 2 * 3  # two targets, three steps each, on every priority
    assert all(who == ["ada@helpline.test"] for who in heard)


@override_settings(SUPPORT_ADDRESS=f"Helpline <{SUPPORT}>")
def test_with_no_active_admin_the_support_mailbox_hears_of_it(cast) -> None:
    User.objects.exclude(role="merchant").update(is_active=False)
    ticket = cast.ticket(at=ist(7, 10))
    sweeps.clocks_sweep(now=ist(7, 18))
    assert steps(ticket) == {
        "first_response 50": [SUPPORT],
        "first_response 75": [SUPPORT],
        "first_response breach": [SUPPORT],
    }
