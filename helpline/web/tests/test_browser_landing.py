"""In a real browser: each role lands on its own page after signing in and at "/" (issue 22,
item 6) — the merchant on their tickets, the agent on their queue, the account manager on their
stores with a to-do list of what waits on them, the engineer on the developer tickets, the admin
on the health of the desk; account managers and engineers are offered no bulk controls; the
store page's ticket numbers are links and its forms are reachable from the top."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from helpline.account_management import services as am_services
from helpline.core import clock
from helpline.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(people: Any) -> Any:
    for user in (people.maya, people.eric, people.ada):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    now = clock.now()
    people.late = people.ticket(subject="Refunds stuck", priority="C2", at=now - timedelta(days=6))
    people.near = people.ticket(
        subject="Checkout slow", priority="C1", at=now - timedelta(minutes=90)
    )
    people.ticket(subject="Logo size", priority="C4", at=now)  # neither late nor near
    am_services.call_request_create(
        actor=people.alice, store=people.acme_shoes, preferred_times="Friday 11:00–12:00", now=now
    )
    return people


LANDS = {
    "alice@acme.test": "/support/",
    "ravi@helpline.test": "/console/?q=mine",
    "maya@helpline.test": "/console/am/",
    "eric@helpline.test": "/console/dev/",
    "ada@helpline.test": "/console/desk/",
}


def test_each_role_lands_on_its_own_page(desk, open_session) -> None:
    for email, path in LANDS.items():
        session = open_session(email)  # signed in through the form: where the sign-in leads
        assert session.page.url == session.base + path, email
        session.go("/")
        assert session.page.url == session.base + path, email
        assert not session.errors, session.errors


def test_the_account_managers_to_do_lists_what_waits_on_them(desk, open_session) -> None:
    manager = open_session("maya@helpline.test")
    page = manager.page
    todo = page.inner_text("#tasks")
    assert "Nothing to do" not in todo
    assert f"{desk.late.reference} breached" in todo
    assert f"{desk.near.reference} first response due in" in todo
    assert "Call Alice back (Acme Shoes): Friday 11:00–12:00" in todo
    assert "Logo size" not in todo
    assert page.locator("#tasks li.urgent").count() == 2
    first = page.locator("#tasks li").first.inner_text()
    assert first.startswith(f"{desk.late.reference} breached")
    assert desk.late.reference in page.inner_text("#breaches")  # overdue now, not yet swept
    manager.shot("am-home-todo")
    # The call request leads to the store page, whose sections are reachable from the top.
    page.get_by_role("link", name="Call Alice back").click()
    nav = page.locator("#store-sections")
    assert nav.bounding_box()["y"] < 400
    nav.get_by_role("link", name="Log a contact").click()
    assert page.locator("#log-form").is_visible()
    # The progress sheet's ticket numbers open the ticket.
    page.locator("#sheet").get_by_role("link", name=desk.late.reference).click()
    page.wait_for_url(f"**/console/t/{desk.late.pk}/")
    assert not manager.errors, manager.errors


def test_no_bulk_controls_for_those_they_would_refuse(desk, open_session) -> None:
    for email, bulk in (
        ("ravi@helpline.test", True),
        ("ada@helpline.test", True),
        ("maya@helpline.test", False),
        ("eric@helpline.test", False),
    ):
        session = open_session(email)
        session.go("/console/?q=open")
        assert (session.page.locator("#bulk").count() == 1) is bulk, email
        boxes = session.page.locator("#queue-rows input[type=checkbox]").count()
        assert (boxes > 0) is bulk, email
        session.page.keyboard.press("j")
        session.page.keyboard.press("x")  # the select key does nothing, and breaks nothing
        assert not session.errors, (email, session.errors)


def test_the_admin_sees_the_health_of_the_desk(desk, open_session) -> None:
    admin = open_session("ada@helpline.test", phone=True)
    vitals = admin.page.locator("#vitals")
    text = vitals.inner_text()
    assert [h.strip() for h in vitals.locator("h2").all_inner_texts()] == [
        "Outbox",
        "Worker",
        "On-call rota",
        "Breaches today",
    ]
    assert "not running" in text and "no worker has ever run" in text
    assert admin.page.locator(".vital.problem").count() >= 1
    width = admin.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    admin.shot("admin-desk")
    # Nobody else has the page.
    agent = open_session("ravi@helpline.test")
    response = agent.go("/console/desk/")
    assert response.status == 404
