"""The web in a real browser: Debian's chromium driven by Playwright against a live server.

Skipped (with the reason) where /usr/bin/chromium or Playwright is missing; CI installs both
(.ci/run). Never ``playwright install``: the browser is the distribution's. Screenshots of each
main page go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from helpline.core import clock
from helpline.tickets import services
from helpline.web.tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

# live_server needs a transactional database, flushed after each test: the default policy (a
# data migration) is seeded again when missing. (Not serialized rollback: it re-inserts content
# types that a flush by another transactional test has already recreated under new ids.)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def policy(transactional_db: Any) -> None:
    from helpline.sla import models as sla_models
    from helpline.sla import services as sla_services

    if not sla_models.PolicyVersion.objects.exists():
        sla_services.seed_defaults(sla_models, now=clock.now())


@pytest.fixture
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the test's own database calls
    # (fixtures, services) are synchronous and safe here. Per test, not per module: the loop
    # is then started after the database fixtures, and stopped before their teardown.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def people(policy: None, cast: Any) -> Any:
    for user in (cast.alice, cast.bob, cast.ravi):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return cast


class Session:
    """One person's browser tab: signs in, records page errors and dialogs."""

    def __init__(self, browser: Any, base: str, *, phone: bool = False) -> None:
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        self.context = browser.new_context(viewport=size)
        self.page = self.context.new_page()
        self.base = base
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def sign_in(self, email: str) -> None:
        self.go("/accounts/login/")
        self.page.get_by_label("E-mail address").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser: Any, live_server: Any) -> Iterator[Any]:
    sessions: list[Session] = []

    def make(email: str | None = None, *, phone: bool = False) -> Session:
        session = Session(browser, live_server.url, phone=phone)
        sessions.append(session)
        if email:
            session.sign_in(email)
        return session

    yield make
    for session in sessions:
        session.close()


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
    page.wait_for_function("document.querySelector('#preview').textContent.includes('C2')")
    page.get_by_label("Priority").select_option("C3")  # htmx swaps the preview in place
    page.wait_for_function("document.querySelector('#preview').textContent.includes('C3')")
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
    assert agent.page.url.endswith("/console/")
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
    now = clock.now()
    late = services.ticket_create(
        actor=people.alice,
        store=people.acme_shoes,
        subject="Store is down",
        description="Nobody can reach it.",
        issue_type="functionality",
        priority="C1",
        now=now - timedelta(hours=7),
    )
    services.ticket_create(
        actor=people.alice,
        store=people.acme_shoes,
        subject="A fresh one",
        description="Not late.",
        issue_type="functionality",
        priority="C4",
        now=now,
    )
    services.clocks_sweep(now=now)
    agent = open_session("ravi@helpline.test")
    row = agent.page.locator(f"tr[data-ticket='{late.pk}']")
    assert "breached" in (row.get_attribute("class") or "")
    countdown = row.locator(".countdown")
    assert "breached" in countdown.inner_text()
    assert countdown.evaluate("e => getComputedStyle(e).color") == "rgb(176, 0, 32)"
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
        f"document.querySelector('#queue-rows').dataset.refreshed !== {before!r}"
    )
    assert agent.page.evaluate("window.__marker") == 1
    assert agent.page.locator("tr.breached").count() == 1


def test_a_merchant_cannot_open_another_merchants_ticket_by_url(people, open_session):
    bobs = services.ticket_create(
        actor=people.bob,
        store=people.bolt_gadgets,
        subject="Bolt's secret",
        description="Private.",
        issue_type="functionality",
        priority="C3",
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
    subject = " ".join(PAYLOADS)[:200]
    body = "\n".join(PAYLOADS)
    ticket = services.ticket_create(
        actor=people.alice,
        store=people.acme_shoes,
        subject=subject,
        description=body,
        issue_type="functionality",
        priority="C1",
    )
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
    # A C1 with a similar subject shows the earlier ticket in the "already reported" list.
    merchant.go("/support/new/")
    merchant.page.get_by_label("Priority").select_option("C1")
    merchant.page.get_by_label("Subject").fill("script window alert onerror")
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
    ticket = services.ticket_create(
        actor=people.alice,
        store=people.acme_shoes,
        subject="Old prices shown",
        description="Prices did not update.",
        issue_type="functionality",
        priority="C3",
    )
    agent = open_session("ravi@helpline.test")
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


# ---------------------------------------------------------------- insight (issue 9)


def _insight_ticket(cast, subject, description):
    return services.ticket_create(
        actor=cast.alice,
        store=cast.acme_shoes,
        subject=subject,
        description=description,
        issue_type="functionality",
        now=clock.now() - timedelta(days=2),
    )


def test_reports_page_draws_its_charts(people, open_session):
    _insight_ticket(people, "Invoices missing GST", "tax lines absent")
    agent = open_session("ravi@helpline.test")
    agent.go("/reports/")
    page = agent.page
    page.wait_for_function("window.Chart && Chart.getChart('chart-backlog') !== undefined")
    points = page.evaluate("Chart.getChart('chart-backlog').data.labels.length")
    assert points == 90  # one per day of the default period
    assert page.evaluate("Chart.getChart('chart-compliance') !== undefined")
    assert agent.errors == []
    agent.shot("reports")


def test_typing_a_ticket_suggests_an_open_one(people, open_session):
    mine = _insight_ticket(people, "Coupon code rejected at checkout", "DIWALI20 says invalid code")
    merchant = open_session("alice@acme.test")
    merchant.go("/support/new/")
    merchant.page.get_by_label("Subject").fill("")
    merchant.page.get_by_label("Subject").press_sequentially("coupon code not working")
    panel = merchant.page.locator("#similar-live")
    panel.get_by_text(mine.reference, exact=False).wait_for()
    assert "Has this already been reported?" in panel.inner_text()
    assert merchant.errors == []
    merchant.shot("already-reported")
