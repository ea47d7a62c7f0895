"""In a real browser: one click on a survey link in the mail records the answer (the page's
script submits it; no sign-in), a comment follows; the low score is on the account manager's
to-do and in the console's panel at once, and "Called back" closes it."""

from __future__ import annotations

import re

import pytest

from helpline.core import clock
from helpline.csat.models import Answer, FollowUp
from helpline.outbox.models import Outbox
from helpline.tickets import services
from helpline.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_click_from_the_mail_and_the_follow_up_on_the_to_do(people, open_session) -> None:
    people.maya.set_password(PASSWORD)
    people.maya.save(update_fields=["password"])
    ticket = services.ticket_create(
        actor=people.alice,
        store=people.acme_shoes,
        subject="Coupons not applied",
        description="The SAVE10 coupon is ignored at checkout",
        issue_type="functionality",
        now=clock.now(),
    )
    services.ticket_resolve(actor=people.ravi, ticket=ticket, message="Fixed the rule.")
    body = Outbox.objects.get(kind="csat_survey", channel="email").payload["body"]
    link = re.search(r"^1 — .*?(/survey/\S+/)$", body, re.M)
    assert link
    visitor = open_session(phone=True)  # not signed in: the link is the credential
    visitor.go(link.group(1))
    visitor.page.wait_for_selector("#outcome")  # one click: no button pressed
    assert "1 of 5" in visitor.page.inner_text("#outcome")
    visitor.page.get_by_label("Anything you would like to add? (optional)").fill("Took days.")
    visitor.page.get_by_role("button", name="Send the comment").click()
    visitor.page.wait_for_selector("#commented")
    visitor.shot("survey-answered")
    answer = Answer.objects.get()
    assert (answer.score, answer.comment, answer.channel) == (1, "Took days.", "mail")
    follow_up = FollowUp.objects.get()
    assert follow_up.owner_id == people.maya.pk

    manager = open_session("maya@helpline.test")
    manager.page.get_by_role("link", name="My stores").click()
    assert "Took days." in manager.page.inner_text("#followups")
    manager.page.get_by_role("link", name="Console").click()
    manager.page.wait_for_selector("#followups-section")
    assert ticket.reference in manager.page.inner_text("#followups-section")
    manager.page.get_by_role("link", name="My stores").click()
    manager.page.get_by_label("What was agreed with the merchant").fill("Refunded the coupon")
    manager.page.get_by_role("button", name="Called back").click()
    manager.page.wait_for_selector("#followups")
    assert "No follow-ups open." in manager.page.inner_text("#followups")
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.note == "Refunded the coupon"
    assert not visitor.errors and not manager.errors
