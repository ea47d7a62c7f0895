"""Accessibility and phone layout of every main page, in the real browser.

axe-core (vendored for the tests only: tests/vendor/, never served) runs over each main page,
signed out, as a merchant and as an agent: no serious or critical violation. The merchant
pages are then laid out at a phone's 390×844: nothing scrolls sideways and the main actions
are at least 44 px tall. A screenshot of each page, desktop and phone, goes to
test-artifacts/ (test-artifacts/phone/ for the phone).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpline.tickets import services
from helpline.web.tests.browser import Session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("browser")]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@pytest.fixture
def desk(people: Any) -> Any:
    """A ticket with a conversation, a canned reply and a saved view, so each page has content."""
    from helpline.web import canned
    from helpline.web.models import CannedReply

    ticket = people.ticket(
        subject="Product images look blurry", description="Since yesterday.", priority="C3", at=None
    )
    people.ticket(subject="Checkout fails for UPI", description="It fails.", priority="C2", at=None)
    services.ticket_reply(actor=people.ravi, ticket=ticket, body="Could you send a link?")
    services.ticket_reply(actor=people.ravi, ticket=ticket, body="CDN suspected", internal=True)
    services.ticket_reply(actor=people.alice, ticket=ticket, body="Here: /products/42")
    CannedReply.objects.create(title="Cache", body="Hi {merchant}, we cleared the cache.")
    canned.saved_view_create(user=people.ravi, name="My C2s", query="q=open&priority=C2")
    people.ticket = ticket
    return people


def pages(ticket: Any) -> dict[str, list[tuple[str, str]]]:
    """Who sees which main page: (name, path)."""
    return {
        "": [
            ("sign-in", "/accounts/login/"),
            ("password-reset", "/accounts/password-reset/"),
            ("help", "/help/"),
        ],
        "alice@acme.test": [
            ("support-my-tickets", "/support/"),
            ("support-waiting-on-me", "/support/?tab=waiting"),
            ("support-new-ticket", "/support/new/"),
            ("support-ticket", f"/support/t/{ticket.pk}/"),
            ("help-signed-in", "/help/"),
        ],
        "ravi@helpline.test": [
            ("console-queues", "/console/"),
            ("console-saved-view", "/console/?q=open&priority=C2"),
            ("console-ticket", f"/console/t/{ticket.pk}/"),
        ],
    }


def axe_violations(session: Session) -> list[dict[str, Any]]:
    page = session.page
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's CSP refuses a script tag of ours.
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    assert result["passes"], "axe ran no check"
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def test_no_serious_accessibility_violations_on_the_main_pages(desk, open_session):
    found: dict[str, list[dict[str, Any]]] = {}
    for email, listed in pages(desk.ticket).items():
        session = open_session(email or None)
        for name, path in listed:
            session.go(path)
            session.page.wait_for_load_state("load")
            found[name] = axe_violations(session)
            session.shot(name)
        if email == "ravi@helpline.test":  # the shortcut overlay, open
            session.page.keyboard.press("?")
            found["console-keyboard-help"] = axe_violations(session)
            session.page.keyboard.press("Escape")
        assert session.errors == [], session.errors
    # The check can fail: an unlabelled field and an image without a text are caught.
    session.page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<input type=text><img src=data:,>')"
    )
    caught = {v["id"] for v in axe_violations(session) if v["impact"] in BLOCKING}
    assert {"label", "image-alt"} <= caught, caught
    blocking = {
        name: [v for v in violations if v["impact"] in BLOCKING]
        for name, violations in found.items()
    }
    assert {name: v for name, v in blocking.items() if v} == {}, json.dumps(found, indent=1)


# The main actions a merchant taps: buttons, button-like links, the state tabs and the menu.
TAP_TARGETS = "main button, main a.button, main select, .tabs a, header .top-nav a, header button"
TOO_SMALL = f"""() => Array.from(document.querySelectorAll({TAP_TARGETS!r}))
  .filter(e => e.offsetParent !== null)
  .map(e => [e.textContent.trim().slice(0, 30) || e.id, e.getBoundingClientRect()])
  .filter(([, r]) => r.height < 44 || r.width < 44)
  .map(([name, r]) => `${{name}} ${{Math.round(r.width)}}×${{Math.round(r.height)}}`)"""


def test_merchant_pages_fit_a_phone(desk, open_session):
    staff_pages = pages(desk.ticket)["ravi@helpline.test"]
    for email, listed in pages(desk.ticket).items():
        session = open_session(email or None, phone=True)
        for name, path in listed:
            session.go(path)
            session.page.wait_for_load_state("load")
            session.shot(name)
            if (name, path) in staff_pages:
                continue  # the console is a desk tool: shot on a phone, not held to it
            width = session.page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert width[0] <= width[1], (name, width)
            assert session.page.evaluate(TOO_SMALL) == [], name
        assert session.errors == [], session.errors


def test_skip_link_and_a_visible_focus_ring(desk, open_session):
    agent = open_session("ravi@helpline.test")
    page = agent.page
    agent.go("/console/")
    page.keyboard.press("Tab")
    skip = page.evaluate(
        "(() => { const e = document.activeElement, r = e.getBoundingClientRect();"
        " return [e.textContent, r.left >= 0 && r.top >= 0, getComputedStyle(e).outlineStyle]; })()"
    )
    assert skip == ["Skip to content", True, "solid"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # into the page: the first queue tab, ringed
    ring = page.evaluate(
        "[document.activeElement.textContent.trim(),"
        " getComputedStyle(document.activeElement).outlineStyle,"
        " getComputedStyle(document.activeElement).outlineWidth]"
    )
    assert ring == ["Mine", "solid", "3px"]
    # While htmx replaces the rows, the region is marked busy; after, it is not. (The people
    # panel and the follow-ups panel load by htmx too: wait until nothing is loading, so that
    # their events are not taken for the rows'.)
    page.wait_for_selector("#people")
    page.wait_for_load_state("networkidle")
    busy = page.evaluate(
        "new Promise(done => { const seen = [];"
        " document.addEventListener('htmx:beforeSend', () =>"
        "   seen.push(document.querySelector('#queue-rows').getAttribute('aria-busy')));"
        " document.addEventListener('htmx:afterSettle', () =>"
        "   done([...seen, document.querySelector('#queue-rows').getAttribute('aria-busy')]));"
        " htmx.ajax('GET', location.href, {target: '#queue-rows', swap: 'outerHTML'}); })"
    )
    assert busy == ["true", None]
