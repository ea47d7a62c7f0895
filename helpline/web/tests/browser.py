"""Browser test helpers: Debian's chromium driven by Playwright against a live server.

The fixtures skip (with the reason) where /usr/bin/chromium or Playwright is missing; CI
installs both (.ci/run). Never ``playwright install``: the browser is the distribution's.
Screenshots go to test-artifacts/ (gitignored), desktop and phone side by side.

Tests that use them need a transactional database (live_server), flushed after each test: the
default policy (a data migration) is seeded again when missing. (Not serialized rollback: it
re-inserts content types that a flush by another transactional test has already recreated
under new ids.)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpline.core import clock

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PASSWORD = "correct horse battery staple"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def policy(transactional_db: Any) -> None:
    from helpline.sla import models as sla_models
    from helpline.sla import services as sla_services

    if not sla_models.PolicyVersion.objects.exists():
        sla_services.seed_defaults(sla_models, now=clock.now())


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
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
        # The test's own database calls ran while Playwright's loop was running, so Django kept
        # them on a connection of that context (asgiref's Local), apart from the thread's usual
        # one, and nothing else closes it: left open, the test database cannot be dropped.
        from django.db import connections

        connections.close_all()
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
        self.phone = phone
        self.context = browser.new_context(viewport=PHONE if phone else DESKTOP)
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

    def shot(self, name: str) -> Path:
        """A full-page screenshot: test-artifacts/<name>.png, or phone/<name>.png."""
        folder = ARTIFACTS / "phone" if self.phone else ARTIFACTS
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser: Any, live_server: Any) -> Iterator[Callable[..., Session]]:
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
