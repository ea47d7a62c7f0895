"""Issue 21: a passkey as a staff member's second factor, in Chromium with its virtual
authenticator (Chrome DevTools Protocol: WebAuthn.enable, WebAuthn.addVirtualAuthenticator) —
added on the security page, then asked for at the next sign-in; allauth's WebAuthn script runs
under Helpline's CSP (static files only, no inline script)."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator

from helpline.web.tests.browser import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _virtual_authenticator(session: Any) -> tuple[Any, str]:
    cdp = session.context.new_cdp_session(session.page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    made = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, made["authenticatorId"]


def _csp_reports(session: Any) -> list[str]:
    reports: list[str] = []
    session.page.on(
        "console",
        lambda m: reports.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return reports


def _add_passkey(session: Any, name: str) -> None:
    """On the security page; adding a factor asks for the password again (allauth's
    reauthentication)."""
    page = session.page
    session.go("/accounts/2fa/webauthn/add/")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/webauthn/add/")
    page.get_by_label("Name").fill(name)
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)


def _password_step(session: Any, email: str) -> None:
    """The password, right: the sign-in stops at the second factor."""
    page = session.page
    session.go("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")


def test_a_passkey_is_added_and_then_asked_for_at_sign_in(people, open_session):
    ravi = people.ravi
    laptop = open_session()
    cdp, authenticator = _virtual_authenticator(laptop)
    refused = _csp_reports(laptop)
    laptop.sign_in(ravi.email)
    page = laptop.page
    _add_passkey(laptop, "Ravi's laptop")
    key = Authenticator.objects.get(user=ravi, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Ravi's laptop"
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1, "the browser's authenticator holds the key"
    laptop.shot("passkey-added")

    # Signed out, the password alone is not enough: the passkey is asked for.
    laptop.context.clear_cookies()
    _password_step(laptop, ravi.email)
    assert laptop.go("/console/").url.endswith("/accounts/login/?next=/console/")
    _password_step(laptop, ravi.email)
    laptop.shot("passkey-asked")
    page.locator("#mfa_webauthn_authenticate").click()
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url and "/accounts/login/" not in url)
    assert "/console/" in page.url
    assert refused == [], refused
    assert laptop.errors == []


def test_without_the_passkey_the_sign_in_stops_at_the_second_factor(people, open_session):
    """A browser whose authenticator lacks the key (another machine) does not get in."""
    ravi = people.ravi
    laptop = open_session()
    _virtual_authenticator(laptop)
    laptop.sign_in(ravi.email)
    _add_passkey(laptop, "Laptop")

    other = open_session()
    _virtual_authenticator(other)  # an authenticator with no key of Ravi's
    _password_step(other, ravi.email)
    # The browser finds no key for the site: allauth's script reports the refusal.
    with other.page.expect_console_message(lambda m: m.type == "error") as refusal:
        other.page.locator("#mfa_webauthn_authenticate").click()
    assert "NotAllowedError" in refusal.value.text, refusal.value.text
    assert "/accounts/2fa/authenticate/" in other.page.url
    assert other.go("/console/").url.endswith("/accounts/login/?next=/console/")
