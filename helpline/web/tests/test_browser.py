"""The web in a real browser: Debian's chromium driven by Playwright against a live server.

The fixtures (helpline/web/tests/browser.py) skip with the reason where chromium or Playwright
is missing. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta
from typing import Any

import pytest

from helpline.core import clock
from helpline.tickets import services, sweeps

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("browser")]


def test_file_answer_close_with_rating(people, open_session):
    merchant = open_session(phone=True)
    merchant.go("/")
    assert "/accounts/login/" in merchant.page.url
    merchant.shot("sign-in")
    merchant.sign_in("alice@acme.test")
    assert merchant.page.url.endswith("/support/")
    merchant.shot("support-my-tickets-empty")

    merchant.page.get_by_role("link", name="New ticket").first.click()
    page = merchant.page
    page.get_by_label("Store").select_option(label="Acme Outlet")
    page.get_by_label("Issue type").select_option("functionality")
    page.get_by_label("Priority").select_option("C2")
    page.wait_for_function("() => document.querySelector('#preview').textContent.includes('C2')")
    page.get_by_label("Priority").select_option("C3")  # htmx swaps the preview in place
    page.wait_for_function("() => document.querySelector('#preview').textContent.includes('C3')")
    assert page.evaluate("typeof htmx") == "object"
    page.get_by_label("Subject").fill("Product images look blurry")
    page.get_by_label("Description").fill("On the product page, since yesterday.")
    merchant.shot("support-new-ticket")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/support/t/*/")
    ticket_url = page.url
    due = page.locator(".clocks [data-clock=first_response] time")
    assert due.is_visible() and due.get_attribute("datetime")
    assert "due in" in page.locator(".clocks").inner_text()
    merchant.shot("support-ticket-new")

    agent = open_session("ravi@helpline.test")
    assert agent.page.url.endswith("/console/?q=mine")  # an agent lands on their own queue
    agent.go("/console/")
    row = agent.page.locator("tr", has_text="Product images look blurry")
    row.get_by_role("link").click()
    agent.page.get_by_label("Message", exact=True).fill(
        "Cleared the image cache; please look again."
    )
    with agent.page.expect_navigation():
        agent.page.get_by_role("button", name="Send public reply").click()
    assert "Cleared the image cache" in agent.page.locator("article.msg.staff").inner_text()
    agent.page.get_by_label("Resolution message to the merchant").fill("Images are sharp again.")
    with agent.page.expect_navigation():
        agent.page.get_by_role("button", name="Resolve").click()
    assert agent.page.locator(".status").inner_text() == "Resolved"
    agent.shot("console-ticket")

    merchant.page.goto(ticket_url)
    assert (
        "Cleared the image cache" in merchant.page.locator("article.msg.staff").first.inner_text()
    )
    merchant.page.get_by_label("How satisfied are you?").select_option("5")
    merchant.page.get_by_label("Comment").fill("Quick and clear.")
    merchant.shot("support-ticket-resolved")
    with merchant.page.expect_navigation():
        merchant.page.get_by_role("button", name="Close the ticket").click()
    assert merchant.page.locator(".status").inner_text() == "Closed"
    assert "You rated this 5 of 5" in merchant.page.content()
    assert merchant.errors == [] and agent.errors == []


def test_breached_ticket_is_red_in_the_agents_queue(people, open_session):
    from playwright.sync_api import expect

    now = clock.now()
    late = people.ticket(
        subject="Store is down",
        description="Nobody can reach it.",
        priority="C1",
        at=now - timedelta(hours=7),
    )
    people.ticket(subject="A fresh one", description="Not late.", priority="C4", at=now)
    sweeps.clocks_sweep(now=now)
    agent = open_session("ravi@helpline.test")
    agent.go("/console/")
    row = agent.page.locator(f"tr[data-ticket='{late.pk}']")
    assert "breached" in (row.get_attribute("class") or "")
    countdown = row.locator(".countdown")
    assert countdown.inner_text().startswith("overdue by")
    expect(countdown).to_have_css("color", "rgb(176, 0, 32)")
    fresh = agent.page.locator("tr", has_text="A fresh one")
    assert "breached" not in (fresh.get_attribute("class") or "")
    agent.shot("console-queue")
    agent.go("/console/?q=breached")
    assert agent.page.locator("tr[data-ticket]").count() == 1
    agent.shot("console-queue-breached")
    # The htmx refresh swaps the rows without a full reload.
    agent.page.evaluate("window.__marker = 1")
    before = agent.page.locator("#queue-rows").get_attribute("data-refreshed")
    agent.page.evaluate(
        "htmx.ajax('GET', location.href, {target: '#queue-rows', swap: 'outerHTML'})"
    )
    agent.page.wait_for_function(
        f"() => document.querySelector('#queue-rows').dataset.refreshed !== {before!r}"
    )
    assert agent.page.evaluate("window.__marker") == 1
    assert agent.page.locator("tr.breached").count() == 1


def test_a_merchant_cannot_open_another_merchants_ticket_by_url(people, open_session):
    bobs = people.ticket(
        who="bob", subject="Bolt's secret", description="Private.", priority="C3", at=None
    )
    merchant = open_session("alice@acme.test")
    response = merchant.go(f"/support/t/{bobs.pk}/")
    assert response.status == 404
    assert "Bolt's secret" not in merchant.page.content()
    assert merchant.go(f"/console/t/{bobs.pk}/").status == 404


PAYLOADS = [
    "<script>window.__xss=1;alert('xss')</script>",
    '"><img src=x onerror="window.__xss=1;alert(1)">',
    "<svg onload=window.__xss=1>",
    '<a href="javascript:window.__xss=1">click</a>',
    "{{ 7*7 }} {% now 'Y' %}",
    "</textarea><script>window.__xss=1</script>",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
]


def test_xss_payloads_run_no_script(people, open_session):
    # Plain words first: PostgreSQL's parser drops HTML tags, so the "already reported" match
    # below must not depend on words inside the payloads.
    subject = ("Payment page broken " + " ".join(PAYLOADS))[:200]
    body = "\n".join(PAYLOADS)
    ticket = people.ticket(subject=subject, description=body, priority="C1", at=None)
    services.ticket_reply(actor=people.alice, ticket=ticket, body=body)
    services.ticket_reply(actor=people.ravi, ticket=ticket, body=body, internal=True)
    merchant = open_session("alice@acme.test")
    agent = open_session("ravi@helpline.test")
    pages = [
        (merchant, "/support/"),
        (merchant, f"/support/t/{ticket.pk}/"),
        (agent, "/console/"),
        (agent, f"/console/t/{ticket.pk}/"),
    ]
    for session, path in pages:
        session.go(path)
        session.page.wait_for_load_state("load")
        assert session.page.evaluate("window.__xss") is None, path
        assert "<script>window.__xss=1" in session.page.locator("main").inner_text(), path
    # A C1 with the same subject shows the earlier ticket (its payloads in its subject) in the
    # "already reported" list; a bare "payment page broken" is no longer close enough to a
    # subject that is mostly payloads to be shown (decision 0221).
    merchant.go("/support/new/")
    merchant.page.get_by_label("Issue type").select_option("functionality")  # none chosen
    merchant.page.get_by_label("Priority").select_option("C1")
    merchant.page.get_by_label("Subject").fill(subject)
    merchant.page.get_by_label("Description").fill("x")
    with merchant.page.expect_navigation():
        merchant.page.get_by_role("button", name="Send").click()
    assert "already been reported" in merchant.page.content()
    assert merchant.page.evaluate("window.__xss") is None
    merchant.shot("support-c1-similar")
    assert merchant.dialogs == [] and agent.dialogs == []
    assert merchant.errors == [] and agent.errors == []


def test_help_page_on_a_phone(policy, open_session):
    visitor = open_session(phone=True)
    visitor.go("/help/")
    assert "C1" in visitor.page.locator("table").inner_text()
    # Nothing wider than the phone except the table's own scroller.
    width = visitor.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    visitor.shot("help-phone")


def test_canned_reply_and_keyboard_shortcuts(people, open_session):
    from helpline.web.models import CannedReply

    CannedReply.objects.create(title="Cache", body="Hi {merchant}, we cleared the cache.")
    ticket = people.ticket(
        subject="Old prices shown", description="Prices did not update.", priority="C3", at=None
    )
    agent = open_session("ravi@helpline.test")
    agent.go("/console/")
    page = agent.page
    page.keyboard.press("j")  # the first row
    page.keyboard.press("o")  # open it
    page.wait_for_url(f"**/console/t/{ticket.pk}/")
    page.get_by_label("Canned reply").select_option(label="Cache")
    assert page.get_by_label("Message", exact=True).input_value() == (
        "Hi Acme Retail, we cleared the cache."
    )
    page.keyboard.press("Escape")
    page.locator("h1").click()
    page.keyboard.press("a")
    assert page.evaluate("document.activeElement.id") == "id_assignee"
    agent.shot("console-ticket-canned")


# ---------------------------------------------------------------- search and the live panel


def test_reports_page_draws_its_charts(people, open_session):
    people.ticket(
        subject="Invoices missing GST",
        description="tax lines absent",
        at=clock.now() - timedelta(days=2),
    )
    agent = open_session("ravi@helpline.test")
    agent.go("/reports/")
    page = agent.page
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-backlog') !== undefined")
    points = page.evaluate("Chart.getChart('chart-backlog').data.labels.length")
    assert points == 90  # one per day of the default period
    assert page.evaluate("Chart.getChart('chart-compliance') !== undefined")
    assert agent.errors == []
    agent.shot("reports")


def test_typing_a_ticket_suggests_an_open_one(people, open_session):
    mine = people.ticket(
        subject="Coupon code rejected at checkout",
        description="DIWALI20 says invalid code",
        at=clock.now() - timedelta(days=2),
    )
    merchant = open_session("alice@acme.test")
    merchant.go("/support/new/")
    merchant.page.get_by_label("Subject").fill("")
    merchant.page.get_by_label("Subject").press_sequentially("coupon code not working")
    panel = merchant.page.locator("#similar-live")
    panel.get_by_text(mine.reference, exact=False).wait_for()
    assert "Has this already been reported?" in panel.inner_text()
    assert merchant.errors == []
    merchant.shot("already-reported")


def test_countdowns_tick_in_the_browser_and_turn_red_without_a_reload(people, open_session):
    """A C1 whose first response falls due in a minute: the page's own clock is moved on
    (Playwright's page.clock; time-machine does not reach the browser) and the countdown
    becomes "overdue", red, with one polite announcement, and no reload."""
    from playwright.sync_api import expect

    ticket = people.ticket(
        subject="Checkout down",
        description="Nobody can pay.",
        priority="C1",
        at=clock.now() - timedelta(hours=2) + timedelta(minutes=1),
    )
    agent = open_session()
    merchant = open_session(phone=True)
    for session, email in ((agent, "ravi@helpline.test"), (merchant, "alice@acme.test")):
        session.page.clock.install()
        session.sign_in(email)
    merchant.go(f"/support/t/{ticket.pk}/")
    agent.go("/console/")
    for session in (agent, merchant):
        session.page.evaluate("window.__marker = 1")
    row = agent.page.locator(f"tr[data-ticket='{ticket.pk}']")
    countdown = row.locator(".countdown")
    clock_box = merchant.page.locator(".clock[data-clock=first_response]")
    assert countdown.inner_text() in ("due in 1 min", "due in under a minute")
    assert "breached" not in (row.get_attribute("class") or "")
    assert countdown.get_attribute("aria-live") == "off"
    assert "due in" in clock_box.inner_text()

    # The merchant's tab is in the background: no ticking there until it shows again.
    merchant.page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: true, configurable: true})"
    )
    for session in (agent, merchant):
        session.page.clock.fast_forward("02:00")
    expect(countdown).to_have_text(re.compile(r"^overdue by (1|2) min$"))
    assert "due in" in clock_box.inner_text()
    merchant.page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange'))"
    )
    expect(row).to_have_class(re.compile(r"\bbreached\b"))
    expect(countdown).to_have_css("color", "rgb(176, 0, 32)")
    expect(agent.page.locator("#announce")).to_have_text(
        f"{ticket.reference} first response is now overdue."
    )
    expect(clock_box.locator(".countdown")).to_have_text(re.compile(r"^overdue by"))
    expect(clock_box).to_have_class(re.compile(r"\bbreached\b"))
    # The resolution target (6 h) keeps counting down on the same page.
    resolution = merchant.page.locator(".clock[data-clock=resolution] .countdown")
    expect(resolution).to_have_text(re.compile(r"^due in 3 h 5\d min$"))
    for session in (agent, merchant):
        assert session.page.evaluate("window.__marker") == 1  # no reload
        assert session.errors == []
    agent.shot("console-queue-overdue-live")

    # Announced once: the next ticks (and the htmx refresh) keep it quiet.
    agent.page.evaluate("document.getElementById('announce').textContent = ''")
    agent.page.clock.fast_forward("01:00")
    expect(countdown).to_have_text(re.compile(r"^overdue by (2|3) min$"))
    assert agent.page.locator("#announce").inner_text() == ""


def test_keyboard_help_overlay_and_sending_a_note_from_the_keyboard(people, open_session):
    ticket = people.ticket(
        subject="Coupon rejected", description="SAVE10 fails.", priority="C3", at=None
    )
    agent = open_session()
    page = agent.page
    page.clock.install()
    agent.sign_in("ravi@helpline.test")
    agent.go("/console/")
    page.keyboard.press("?")
    overlay = page.get_by_role("dialog", name="Keyboard shortcuts")
    assert overlay.is_visible()
    assert "Write an internal note" in overlay.inner_text()
    page.keyboard.press("j")  # ignored while the overlay is open
    assert page.locator("tr.current").count() == 0
    agent.shot("console-keyboard-help")
    page.keyboard.press("Escape")
    assert not overlay.is_visible()
    page.keyboard.press("j")
    page.keyboard.press("x")  # ticked for a bulk move
    row = page.locator(f"tr[data-ticket='{ticket.pk}']")
    assert row.locator("input[type=checkbox]").is_checked()
    # The 30-s htmx refresh swaps the rows; the tick, the current row and the focus stay.
    before = page.locator("#queue-rows").get_attribute("data-refreshed")
    page.clock.fast_forward("00:31")
    page.wait_for_function(
        f"() => document.querySelector('#queue-rows').dataset.refreshed !== {before!r}"
    )
    page.wait_for_function("() => document.querySelector('tr.current') !== null")
    assert row.locator("input[type=checkbox]").is_checked()
    assert page.evaluate("document.activeElement.closest('tr').dataset.ticket") == str(ticket.pk)
    page.keyboard.press("o")
    page.wait_for_url(f"**/console/t/{ticket.pk}/")
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.id") == "id_body"
    page.keyboard.type("Checked the coupon rules")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    note = page.locator("article.msg.internal")
    assert "Checked the coupon rules" in note.inner_text()
    page.keyboard.press("g")
    page.wait_for_url("**/console/")
    assert agent.errors == [] and agent.dialogs == []


def test_the_preview_shows_the_last_choice_when_answers_cross(people, open_session):
    """Two quick priority changes: the first answer is held back and let go after the second.
    The first request was aborted (hx-sync), so the preview ends on the last choice."""
    from playwright.sync_api import Error

    merchant = open_session("alice@acme.test")
    page = merchant.page
    held: list[Any] = []

    def answer(route: Any) -> None:
        if "priority=C2" in route.request.url:
            held.append(route)  # not answered yet
            return
        route.fulfill(response=route.fetch())
        for late in held:
            # The browser has aborted it (what we want): answering it then fails.
            with contextlib.suppress(Error):
                late.fulfill(response=late.fetch())

    merchant.go("/support/new/")
    page.route("**/support/new/preview/**", answer)
    page.get_by_label("Priority").select_option("C2")
    page.wait_for_function("() => document.querySelector('#preview').getAttribute('aria-busy')")
    page.get_by_label("Priority").select_option("C3")
    page.wait_for_function("() => document.querySelector('#preview').textContent.includes('C3')")
    page.wait_for_load_state("networkidle")
    assert held, "the first answer was held back"
    assert "C3 — Normal" in page.locator("#preview").inner_text()
    assert merchant.errors == []
