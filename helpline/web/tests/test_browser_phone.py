"""Every main page, for its role, on a phone (390×844) in the real browser (issue 22, items 8 and
the whole): nothing scrolls sideways (``scrollWidth <= innerWidth``), axe-core finds no
violation, and a screenshot of each goes to test-artifacts/phone/ for review. The console's queue
is a list of cards there, not a table wider than the screen."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from helpline.account_management import services as am_services
from helpline.core import clock
from helpline.engineering import services as engineering
from helpline.tickets import services
from helpline.web.tests.conftest import PASSWORD
from helpline.web.tests.test_accessibility import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(people: Any) -> Any:
    for user in (people.maya, people.eric, people.ada):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    now = clock.now()
    long_subject = "Checkout fails for UPI payments on the mobile app since the last release"
    ticket = people.ticket(subject=long_subject, priority="C2", at=now - timedelta(hours=30))
    people.ticket(subject="Product images blurry", priority="C3", at=now)
    services.ticket_reply(actor=people.ravi, ticket=ticket, body="Could you send a link?")
    dev = engineering.devticket_open(
        actor=people.ravi, title="UPI intent fails on Android", ticket_ids=[ticket.pk], now=now
    )
    am_services.call_request_create(
        actor=people.alice, store=people.acme_shoes, preferred_times="Friday morning", now=now
    )
    return people, ticket, dev


def main_pages(people: Any, ticket: Any, dev: Any) -> dict[str, list[tuple[str, str]]]:
    store = people.acme_shoes.pk
    return {
        "alice@acme.test": [
            ("support-my-tickets", "/support/"),
            ("support-new-ticket", "/support/new/"),
            ("support-ticket", f"/support/t/{ticket.pk}/"),
            ("support-account-manager", "/support/account/"),
            ("uptime", "/uptime/"),
            ("uptime-store", f"/uptime/{store}/"),
            ("notifications", "/notifications/"),
            ("help", "/help/"),
        ],
        "ravi@helpline.test": [
            ("console-mine", "/console/?q=mine"),
            ("console-open", "/console/?q=open"),
            ("console-ticket", f"/console/t/{ticket.pk}/"),
            ("search", "/search/?q=UPI"),
            ("reports", "/reports/"),
        ],
        "maya@helpline.test": [
            ("am-home", "/console/am/"),
            ("am-store", f"/console/stores/{store}/"),
        ],
        "eric@helpline.test": [
            ("dev-list", "/console/dev/"),
            ("dev-page", f"/console/dev/{dev.pk}/"),
        ],
        "ada@helpline.test": [("desk", "/console/desk/")],
    }


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
               && !e.closest('.scroll, .sr, .skip'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"""


def test_every_main_page_fits_a_phone_without_violations(desk, open_session) -> None:
    found: dict[str, Any] = {}
    for email, listed in main_pages(*desk).items():
        session = open_session(email, phone=True)
        for name, path in listed:
            session.go(path)
            session.page.wait_for_load_state("load")
            session.shot(name)
            width = session.page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if width[0] > width[1]:
                found[f"{name} is {width[0]} px wide"] = session.page.evaluate(WIDEST)
            crowded = session.page.evaluate(
                "[...document.forms].filter(f => f.querySelectorAll('.primary').length > 1).length"
            )
            if crowded:
                found[f"{name}: {crowded} form(s) with more than one primary button"] = crowded
            violations = axe_violations(session)
            if violations:
                found[f"{name} axe"] = violations
        assert session.errors == [], session.errors
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


def test_the_queue_is_a_list_of_cards_on_a_phone(desk, open_session) -> None:
    agent = open_session("ravi@helpline.test", phone=True)
    agent.go("/console/?q=open")
    rows = agent.page.locator("#queue-rows tr[data-ticket]")
    assert rows.count() == 2
    first = rows.first.bounding_box()
    assert first["width"] <= 390
    assert agent.page.locator("table.queue thead").bounding_box()["height"] <= 1  # for readers
    # The ticket's reference, its priority and its deadline are all on the card.
    text = rows.first.inner_text()
    assert "HL-" in text and ("C3" in text or "C2" in text)
