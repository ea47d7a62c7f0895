"""In a real browser: the merchant decides a quote inside its box — Approve the one primary
action, Decline behind a second step with the reason — while "Withdraw the ticket" stands apart
and asks first; the history names the quote in words (issue 22, item 7)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpline.billing import services as billing_services
from helpline.core import clock
from helpline.tickets import services
from helpline.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quoted(people):
    now = clock.now()
    ticket = people.ticket(
        subject="Gift wrapping option", description="Add gift wrapping at checkout", at=now
    )
    services.ticket_triage(actor=people.ravi, ticket=ticket, now=now)
    billing_services.quote_create(
        actor=people.ravi,
        ticket=ticket,
        amount_inr="45000",
        description="Gift wrapping at checkout",
        valid_until=now + timedelta(days=5),
        due_at=now + timedelta(days=6),
        now=now,
    )
    return ticket


def test_approve_is_the_primary_action_inside_the_quote_box(people, quoted, open_session):
    merchant = open_session("alice@acme.test", phone=True)
    page = merchant.page
    merchant.go(f"/support/t/{quoted.pk}/")
    box = page.locator("section.quote")
    approve = box.get_by_role("button", name="Approve the quote")
    assert approve.is_visible() and "primary" in approve.get_attribute("class")
    assert box.locator("button.primary").count() == 1
    # Decline is secondary: one more step, which asks why.
    assert not box.get_by_label("Tell support why you decline").is_visible()
    box.locator("summary", has_text="Decline").click()
    assert box.get_by_label("Tell support why you decline").is_visible()
    # Withdraw is not in the quote box, and asks before it closes the ticket.
    assert box.get_by_role("button", name="Withdraw the ticket").count() == 0
    history = page.inner_text(".timeline")
    assert "Quote of ₹53,100.00 incl. GST ₹8,100.00 for “Gift wrapping at checkout”" in history
    assert "quote id" not in history and "T0" not in history and "+00:00" not in history
    merchant.shot("support-quote")
    page.get_by_role("button", name="Withdraw the ticket").click()  # the test dismisses: no
    assert merchant.dialogs and "Withdraw" in merchant.dialogs[0]
    assert Ticket.objects.get(pk=quoted.pk).status == "awaiting_approval"
    with page.expect_navigation():
        approve.click()
    assert Ticket.objects.get(pk=quoted.pk).status == "in_progress"
    assert "Quote approved" in page.inner_text(".timeline")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    assert not merchant.errors, merchant.errors
