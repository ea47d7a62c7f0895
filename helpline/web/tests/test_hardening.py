"""Issue 21 at the pages: sign-in spraying slowed per address and per account, reset mails
limited, reset links from HELPLINE_BASE_URL, tokens revoked by a reset, the CSP and HSTS headers,
Secure cookies over HTTPS, no inline script or style in any template."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client

from helpline.accounts import services as accounts
from helpline.accounts.models import ApiToken
from helpline.conftest import T0
from helpline.core import limits
from helpline.outbox.models import Outbox
from helpline.web.tests.conftest import PASSWORD
from helpline.worker import run_once

TEMPLATES = Path(__file__).resolve().parents[2]


def _sign_in(client: Client, email: str, password: str = "wrong") -> int:  # noqa: S107
    return client.post("/accounts/login/", {"username": email, "password": password}).status_code


def test_spraying_20_accounts_from_one_address_is_slowed_after_the_limit(cast):
    """The finding: the throttle was keyed on (e-mail, address) only, so one failure on each of
    many accounts from one address was never slowed."""
    victims = [
        accounts.user_create(email=f"user{i}@acme.test", role="merchant", merchant_id=cast.acme.pk)
        for i in range(20)
    ]
    client = Client(REMOTE_ADDR="203.0.113.7")
    with time_machine.travel(T0, tick=False):
        codes = [_sign_in(client, v.email) for v in victims]
    allowed = limits.LOGIN_ADDRESS.count
    assert codes == [200] * allowed + [429] * (20 - allowed)
    with time_machine.travel(T0, tick=False):
        refused = client.post("/accounts/login/", {"username": cast.alice.email, "password": "x"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert b"Too many failed sign-ins" in refused.content
    # Somebody else, elsewhere, signs in as usual; the window's end lets this address in again.
    cast.alice.set_password(PASSWORD)
    cast.alice.save(update_fields=["password"])
    with time_machine.travel(T0, tick=False):
        assert _sign_in(Client(REMOTE_ADDR="198.51.100.1"), cast.alice.email, PASSWORD) == 302
    with time_machine.travel(T0 + timedelta(seconds=limits.LOGIN_ADDRESS.seconds), tick=False):
        assert _sign_in(client, cast.alice.email, PASSWORD) == 302


def test_one_account_tried_from_many_addresses_is_slowed(cast):
    cast.alice.set_password(PASSWORD)
    cast.alice.save(update_fields=["password"])
    allowed = limits.LOGIN_ACCOUNT.count
    with time_machine.travel(T0, tick=False):
        codes = [
            _sign_in(Client(REMOTE_ADDR=f"198.51.100.{i}"), cast.alice.email)
            for i in range(allowed + 1)
        ]
        right = _sign_in(Client(REMOTE_ADDR="192.0.2.50"), cast.alice.email, PASSWORD)
    assert codes == [200] * allowed + [429]
    assert right == 429  # not even the right password, until the window turns


def _with_password(user):
    user.set_password(PASSWORD)  # Django sends no reset mail to an account without one
    user.save(update_fields=["password"])
    return user


def test_password_reset_mails_are_limited_per_address_and_requests_per_client(cast):
    _with_password(cast.alice)
    client = Client(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel(T0, tick=False):
        codes = [
            client.post("/accounts/password-reset/", {"email": cast.alice.email}).status_code
            for _ in range(8)
        ]
    # The page says "sent" every time (it tells nobody which addresses exist) …
    assert codes == [302] * 8
    # … but only RESET_ACCOUNT mails go out (the finding: 8 requests, 8 mails).
    sent = Outbox.objects.filter(kind="password_reset", recipient=cast.alice.email).count()
    assert sent == limits.RESET_ACCOUNT.count
    with time_machine.travel(T0, tick=False):
        more = [
            client.post("/accounts/password-reset/", {"email": "x@y.test"}).status_code
            for _ in range(limits.RESET_ADDRESS.count)
        ]
    # … and one client makes at most RESET_ADDRESS requests an hour, whatever the address.
    left = limits.RESET_ADDRESS.count - 8
    assert more == [302] * left + [429] * (len(more) - left)


def test_the_reset_link_points_at_the_base_url_whatever_the_host_header(cast, settings):
    settings.BASE_URL = "https://help.example.com/desk"
    settings.ALLOWED_HOSTS = ["*"]
    _with_password(cast.alice)
    Client().post(
        "/accounts/password-reset/", {"email": cast.alice.email}, HTTP_HOST="localhost:9999"
    )
    run_once()
    body = mail.outbox[0].body
    assert "localhost:9999" not in body
    assert "https://help.example.com/desk/accounts/reset/" in body


def test_a_password_reset_revokes_the_accounts_api_tokens(cast):
    _with_password(cast.alice)
    _token, raw = accounts.token_create(user=cast.alice, name="script", now=T0)
    Client().post("/accounts/password-reset/", {"email": cast.alice.email})
    run_once()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    client = Client()
    form = client.get(link.split(settings.BASE_URL, 1)[1], follow=True)
    new = "another long passphrase"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert ApiToken.objects.filter(user=cast.alice, revoked_at__isnull=True).count() == 0
    api = Client().get("/api/v1/tickets", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 401
    assert Client().login(username=cast.alice.email, password=new)


def test_pages_carry_a_strict_csp_and_hsts_over_https(cast):
    client = Client()
    client.force_login(cast.ravi)
    page = client.get("/console/")
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "Strict-Transport-Security" not in page  # plain HTTP: no HSTS
    secure = client.get("/console/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert b'"allowEval": false' in page.content  # htmx is told not to eval


def test_cookies_are_secure_over_https_without_any_setting(cast):
    cast.alice.set_password(PASSWORD)
    cast.alice.save(update_fields=["password"])
    response = Client().post(
        "/accounts/login/",
        {"username": cast.alice.email, "password": PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    plain = Client().post("/accounts/login/", {"username": cast.alice.email, "password": PASSWORD})
    assert not plain.cookies["sessionid"]["secure"]


def test_no_template_has_inline_script_style_or_event_handlers():
    """The CSP refuses them: every script is a static file; JSON data rides json_script."""
    found = []
    for path in TEMPLATES.glob("*/templates/**/*.html"):
        if "/email/" in str(path) or "/channels/" in str(path):
            continue  # mail bodies are not pages
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            found.append(f"{path.name}: {match.group(0)}")
        for match in re.finditer(r"\s(style|on[a-z]+)=", text):
            found.append(f"{path.name}: {match.group(0).strip()}")
    assert found == []
