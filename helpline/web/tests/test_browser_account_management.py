"""In a real browser (Debian's chromium through Playwright, skipped where missing): the
merchant finds their account manager and asks for a call, the account manager sees it on their
home page and logs the call; a quote is approved from the mail's signed link."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from helpline.billing import services as billing_services
from helpline.billing.models import Quote
from helpline.core import clock
from helpline.outbox.models import Outbox
from helpline.tickets import services
from helpline.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_request_a_call_and_the_account_manager_logs_it(people, open_session) -> None:
    people.maya.set_password(PASSWORD)
    people.maya.save(update_fields=["password"])
    merchant = open_session("alice@acme.test", phone=True)
    merchant.page.get_by_role("link", name="Account manager").click()
    page = merchant.page
    card = page.locator(f"#store-{people.acme_shoes.pk}")
    assert "Maya" in card.inner_text() and "maya@helpline.test" in card.inner_text()
    card.get_by_label("When would suit you for a call or meeting?").fill("Friday 11:00–12:00")
    card.get_by_role("button", name="Request a call").click()
    page.wait_for_selector(".flash")
    assert "will call you" in page.inner_text(".flash")
    merchant.shot("support-account-manager")

    manager = open_session("maya@helpline.test")
    manager.page.get_by_role("link", name="My stores").click()
    assert "Friday 11:00–12:00" in manager.page.inner_text("#call-requests")
    manager.page.get_by_role("link", name="Acme Shoes").first.click()
    form = manager.page.locator("#log-form")
    form.get_by_label("Summary").fill("Called Alice; walked through the progress sheet")
    form.get_by_label("Answers call request").select_option(index=1)
    form.get_by_role("button", name="Log it").click()
    manager.page.wait_for_selector(".flash")
    assert "Called Alice" in manager.page.inner_text("#contact-log")
    manager.shot("console-store-page")
    assert not merchant.errors and not manager.errors


def test_a_quote_approved_from_the_mail_link(people, open_session) -> None:
    now = clock.now()
    ticket = services.ticket_create(
        actor=people.alice,
        store=people.acme_shoes,
        subject="Gift wrapping option",
        description="Add gift wrapping at checkout",
        issue_type="functionality",
        now=now,
    )
    services.ticket_triage(actor=people.ravi, ticket=ticket, now=now)
    billing_services.quote_create(
        actor=people.ravi,
        ticket=ticket,
        amount_inr="8000",
        description="Gift wrapping at checkout",
        valid_until=now + timedelta(days=5),
        now=now,
    )
    body = Outbox.objects.get(kind="quote", recipient="alice@acme.test").payload["body"]
    match = re.search(r"(/quotes/decide/[^/\s]+/)", body)
    assert match
    visitor = open_session(phone=True)  # not signed in: the link is the credential
    visitor.go(match.group(1))
    assert "₹9,440.00 incl. GST ₹1,440.00" in visitor.page.inner_text("#quote")  # 8000 + 18 %
    visitor.shot("quote-link")
    visitor.page.get_by_role("button", name="Approve the quote").click()
    visitor.page.wait_for_selector("#outcome")
    assert "approved" in visitor.page.inner_text("#outcome")
    quote: Any = Quote.objects.get(ticket=ticket)
    assert (quote.status, quote.decided_via, quote.decided_by_id) == (
        "approved",
        "email_link",
        people.alice.pk,
    )
    assert quote.decided_ip is not None
