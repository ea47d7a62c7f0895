"""Hostile HTML mail in a real browser (chromium via Playwright): the usual XSS payloads run no
script on the console or the support center, and no remote image is fetched."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail
from helpline.tickets.models import Ticket

if not Path("/usr/bin/chromium").exists():
    pytest.skip(
        "/usr/bin/chromium is not installed (apt-get install chromium)", allow_module_level=True
    )
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


pytestmark = pytest.mark.django_db(transaction=True)

PAYLOADS = [
    "<script>window.__xss=1;alert('xss')</script>",
    '"><img src=x onerror="window.__xss=1;alert(1)">',
    '<img src="http://127.0.0.1:9/pixel.gif" alt="tracker">',
    "<svg onload=window.__xss=1>",
    '<a href="javascript:window.__xss=1" id="js">click</a>',
    '<body onload="window.__xss=1"><div style="background:url(javascript:window.__xss=1)">x</div>',
    "</textarea><script>window.__xss=1</script>",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1"></style></mglyph>',
    '<form action="javascript:window.__xss=1"><button id="go">go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    '<object data="javascript:window.__xss=1"></object><embed src="javascript:window.__xss=1">',
]


def test_hostile_mail_html_runs_no_script(people, open_session):
    html = "<p>Our store is down</p>" + "".join(PAYLOADS)
    raw = mail(subject="C1 <script>window.__xss=1</script>", body="Our store is down", html=html)
    result = mail_ingest(raw, source="cli")
    assert result.outcome == "ticket", result
    ticket = Ticket.objects.get()
    agent = open_session("ravi@helpline.test")
    merchant = open_session("alice@acme.test")
    remote: list[str] = []
    for session, path in (
        (agent, f"/console/t/{ticket.pk}/"),
        (merchant, f"/support/t/{ticket.pk}/"),
    ):
        session.page.on(
            "request",
            lambda r: remote.append(r.url) if "pixel" in r.url or ":9/" in r.url else None,
        )
        session.go(path)
        session.page.wait_for_load_state("load")
        session.page.locator("details.mail-html summary").first.click()
        assert "Our store is down" in session.page.locator("details.mail-html").inner_text()
        links = session.page.locator("details.mail-html a")
        for i in range(links.count()):
            assert not (links.nth(i).get_attribute("href") or "").startswith("javascript:")
        assert session.page.evaluate("window.__xss") is None, path
        session.shot(f"mail-html-{path.split('/')[1]}")
    assert remote == []
    assert agent.dialogs == [] and merchant.dialogs == []
    assert agent.errors == [] and merchant.errors == []
