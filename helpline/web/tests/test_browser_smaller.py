"""In a real browser, the smaller fixes of issue 22 (item 9): what a merchant may be told of,
an unwatched store's uptime in words, the account manager's phone and WhatsApp and a call request
the merchant cancels, report cells in words, the developer ticket's comments and resolution note
with "engineering done" on the agent's queue, and refused program uploads named."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from helpline.account_management import services as am_services
from helpline.account_management.models import CallRequest
from helpline.core import clock
from helpline.engineering import services as engineering
from helpline.tickets import sweeps
from helpline.tickets.models import TicketMessage
from helpline.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_merchant_chooses_only_among_what_they_can_be_told(people, open_session) -> None:
    merchant = open_session("alice@acme.test")
    merchant.go("/notifications/")
    muted = merchant.page.locator("fieldset", has_text="Do not tell me about")
    boxes = muted.locator("input[type=checkbox]")
    assert boxes.count() == 13  # the merchant's kinds (notifications.audience); was 16
    text = muted.inner_text()
    assert "A new message on a ticket" in text and "A cost quote is sent" in text
    assert "assigned to you" not in text and "escalation chain" not in text
    assert "account managers" not in text
    agent = open_session("ravi@helpline.test")
    agent.go("/notifications/")
    assert "A ticket is assigned to you" in agent.page.inner_text("#preferences")


def test_an_unwatched_store_says_so_in_words(people, open_session) -> None:
    merchant = open_session("bob@bolt.test", phone=True)
    merchant.go(f"/uptime/{people.bolt_gadgets.pk}/")
    text = merchant.page.inner_text("main")
    assert "This store is not watched: nobody checks whether it is up." in text
    assert "Not watched in this period" in text
    assert "%" not in text.replace("99.8 %", "") and "Unknown" not in text
    assert "min" not in text.split("The last 90 days")[1]
    merchant.go("/uptime/")
    assert "not watched · 100.000 %" not in merchant.page.inner_text("main")
    merchant.shot("uptime-unwatched")


def test_the_account_manager_card_and_a_call_request_cancelled(people, open_session) -> None:
    people.maya.phone, people.maya.whatsapp = "+91 80 4000 1234", "+919800001234"
    people.maya.save(update_fields=["phone", "whatsapp"])
    request = am_services.call_request_create(
        actor=people.alice, store=people.acme_shoes, preferred_times="Friday 11:00"
    )
    merchant = open_session("alice@acme.test", phone=True)
    page = merchant.page
    merchant.go("/support/account/")
    card = page.locator(f"#store-{people.acme_shoes.pk}")
    assert "Phone: +91 80 4000 1234" in card.inner_text()
    assert card.get_by_role("link", name="+919800001234").get_attribute("href") == (
        "https://wa.me/919800001234"
    )
    merchant.shot("support-account-card")
    page.remove_listener("dialog", merchant._dialog)  # this time the merchant says yes
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        card.get_by_role("button", name="Cancel this call request").click()
    request.refresh_from_db()
    assert request.status == CallRequest.Status.CANCELLED
    assert page.locator(f"#call-{request.pk}").count() == 0
    assert not merchant.errors, merchant.errors


def test_report_cells_read_in_words(people, open_session) -> None:
    now = clock.now()
    people.ticket(subject="Slow admin", priority="C2", at=now - timedelta(days=3))
    while sweeps.clocks_sweep(now=now):
        pass
    agent = open_session("ravi@helpline.test")
    agent.go("/reports/")
    text = agent.page.inner_text("main")
    assert "first response" in text
    assert "first_response" not in text


def test_the_developer_ticket_conversation_and_engineering_done(people, open_session) -> None:
    people.eric.set_password(PASSWORD)
    people.eric.save(update_fields=["password"])
    ticket = people.ticket(subject="UPI fails", priority="C2", at=clock.now())
    dev = engineering.devticket_open(
        actor=people.ravi, title="UPI intent on Android", ticket_ids=[ticket.pk]
    )
    engineer = open_session("eric@helpline.test")
    page = engineer.page
    engineer.go(f"/console/dev/{dev.pk}/")
    page.get_by_role("textbox", name="Comment", exact=True).fill("Reproduced on Android 14.")
    page.get_by_role("button", name="Add the comment").click()
    page.wait_for_selector("#comments .msg")
    assert "Reproduced on Android 14." in page.inner_text("#comments")
    page.get_by_label("Status", exact=True).select_option("done")
    page.get_by_label("Resolution note").fill("Intent URL fixed; released in 4.2.1.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#resolution")
    assert "released in 4.2.1" in page.inner_text("#resolution")
    engineer.shot("dev-ticket")
    agent = open_session("ravi@helpline.test")
    agent.go("/console/?q=open")
    row = agent.page.locator(f"#queue-rows tr[data-ticket='{ticket.pk}']")
    assert row.locator(".badge", has_text="engineering done").count() == 1
    assert not engineer.errors and not agent.errors


def test_a_program_is_refused_by_name_and_the_reply_is_kept(people, open_session) -> None:
    ticket: Any = people.ticket(subject="Broken checkout", at=clock.now())
    merchant = open_session("alice@acme.test")
    page = merchant.page
    merchant.go(f"/support/t/{ticket.pk}/")
    page.get_by_label("Message").fill("Here is the tool that shows it")
    page.get_by_label("Attachments").set_input_files(
        [{"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"}]
    )
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_selector(".flash")
    assert "Not attached: setup.exe (a .exe file: programs and scripts are not accepted" in (
        page.inner_text(".flash")
    )
    assert TicketMessage.objects.filter(
        ticket=ticket, body="Here is the tool that shows it"
    ).exists()
