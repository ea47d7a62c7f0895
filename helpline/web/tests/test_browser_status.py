"""Status subscriptions in a real browser (decision 0226): a merchant follows a store in one
click; anyone subscribes with an address and confirms from the mailed link's button."""

from __future__ import annotations

import re

import pytest

from helpline.outbox.models import Outbox
from helpline.subscriptions.models import Subscription

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("browser")]


def test_a_merchant_follows_a_store_and_anyone_confirms_by_mail(people, open_session):
    merchant = open_session("alice@acme.test")
    page = merchant.page
    merchant.go("/status/")
    page.get_by_label("Follow").select_option(label="Acme Shoes")
    with page.expect_navigation():
        page.get_by_role("button", name="Subscribe").click()
    assert "Subscribed." in page.locator("#sub-h").locator("..").inner_text()
    assert Subscription.objects.get().store_id == people.acme_shoes.pk
    merchant.shot("status-subscribed")

    anyone = open_session()
    anyone.go("/status/")
    anyone.page.get_by_label("Your mail address").fill("reader@example.test")
    with anyone.page.expect_navigation():
        anyone.page.get_by_role("button", name="Subscribe").click()
    assert "Check your mail" in anyone.page.content()
    body = Outbox.objects.get(kind="status_confirm").payload["body"]
    link = re.search(r"https?://[^/\s]+(/status/confirm/\S+/)", body)
    assert link is not None
    anyone.go(link.group(1))
    with anyone.page.expect_navigation():
        anyone.page.get_by_role("button", name="Confirm").click()
    assert "Subscribed" in anyone.page.content()
    row = Subscription.objects.get(address="reader@example.test")
    assert row.confirmed_at is not None
