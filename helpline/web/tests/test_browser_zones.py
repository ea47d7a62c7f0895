"""A page that says "Times in X" shows every time in X, also after its live refresh: the
console's queue in a real browser (chromium driven by Playwright against a live server)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from helpline.accounts.models import User
from helpline.core import clock

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("browser")]
WRITTEN = re.compile(r"\w{3} \d+ \w{3} \d{4}, \d\d:\d\d (\S+)")


def _zones_shown(page) -> set[str]:
    return set(WRITTEN.findall(page.locator("#queue-rows").inner_text()))


def _refresh(page) -> None:
    """What the 30-second trigger does, done now (no waiting): htmx fetches the rows again."""
    before = page.locator("#queue-rows").get_attribute("data-refreshed")
    page.evaluate(
        "(() => { const rows = document.querySelector('#queue-rows');"
        " return htmx.ajax('GET', rows.getAttribute('hx-get'),"
        " {source: rows, target: rows, swap: 'outerHTML'}); })()"
    )
    page.wait_for_function(
        f"document.querySelector('#queue-rows').dataset.refreshed !== {before!r}"
    )


@pytest.mark.parametrize(("zone", "abbreviation"), [("Asia/Kolkata", "IST"), ("Asia/Tokyo", "JST")])
def test_the_console_shows_deadlines_in_its_labelled_zone_after_the_live_refresh(
    people, open_session, zone, abbreviation
) -> None:
    User.objects.filter(pk=people.ravi.pk).update(time_zone=zone)
    now = clock.now()
    people.ticket(subject="Checkout broken", priority="C2", at=now - timedelta(minutes=10))
    people.ticket(subject="Logo blurry", priority="C4", at=now)
    agent = open_session("ravi@helpline.test")
    agent.go("/console/")
    page = agent.page
    assert f"Times in {zone}." in page.locator("main").inner_text()
    assert _zones_shown(page) == {abbreviation}
    _refresh(page)
    assert _zones_shown(page) == {abbreviation}  # not UTC, as the refresh used to redraw
    assert page.locator("#queue-rows tr[data-ticket]").count() == 2
    assert agent.errors == []
