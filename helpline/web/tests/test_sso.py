"""Issue 21: single sign-on through OpenID Connect, against a real provider (oidc-provider from
npm, on loopback) — an existing staff member is signed in by the address the provider verified;
an unknown address, an unverified one and a merchant's are refused, and nothing is created."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from helpline.accounts.models import User
from helpline.web.tests import oidc_server
from helpline.web.tests.conftest import PASSWORD

CLIENT_ID, SECRET = "helpline-test", "a-test-client-secret"
CALLBACK = "http://testserver/accounts/oidc/sso/login/callback/"


@pytest.fixture
def issuer(settings: Any) -> Iterator[str]:
    try:
        provider = oidc_server.running(CLIENT_ID, SECRET, CALLBACK)
        url = provider.__enter__()
    except RuntimeError as exc:
        pytest.skip(f"no OpenID Connect provider: {exc}")
    settings.OIDC_ISSUER, settings.OIDC_NAME = url, "Acme SSO"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Acme SSO",
                    "client_id": CLIENT_ID,
                    "secret": SECRET,
                    "settings": {"server_url": url},
                }
            ],
        }
    }
    try:
        yield url
    finally:
        provider.__exit__(None, None, None)


def _sso(client: Client, email: str, *, verified: bool = True) -> Any:
    """The whole round trip: Helpline's button, the provider's sign-in as ``email``, the
    provider's redirect back. Helpline's answer to the callback."""
    page = client.get("/accounts/login/")
    assert b"Sign in with Acme SSO" in page.content
    start = client.post("/accounts/oidc/sso/login/?process=login&next=/console/")
    assert start.status_code == 302, start.content[:300]
    browser = requests.Session()
    at = start["Location"]
    for _ in range(10):
        if at.startswith(CALLBACK):
            break
        answer = browser.get(at, allow_redirects=False, timeout=10)
        if answer.status_code == 200 and "/interaction/" in at:
            form = {"email": email, "verified": "1" if verified else "0"}
            answer = browser.post(
                at.rstrip("/") + "/login", data=form, allow_redirects=False, timeout=10
            )
        assert answer.status_code in (302, 303), (answer.status_code, answer.text[:300])
        location = answer.headers["Location"]
        at = location if location.startswith("http") else requests.compat.urljoin(at, location)
    else:
        raise AssertionError("the provider never sent the browser back")
    back = urlsplit(at)
    return client.get(back.path, QUERY_STRING=back.query)


def test_a_staff_member_signs_in_by_the_verified_address_and_is_linked(cast, issuer):
    cast.ravi.set_password(PASSWORD)
    cast.ravi.save(update_fields=["password"])
    client = Client()
    done = _sso(client, cast.ravi.email)
    assert done.status_code == 302 and done["Location"] == "/console/", done.content[:300]
    assert int(client.session["_auth_user_id"]) == cast.ravi.pk
    account = SocialAccount.objects.get(user=cast.ravi)
    assert account.provider == "sso" and account.uid == cast.ravi.email
    assert client.get("/console/").status_code == 200
    # Linked: the next sign-in finds the account by the provider's id.
    again = Client()
    assert _sso(again, cast.ravi.email).status_code == 302
    assert SocialAccount.objects.filter(user=cast.ravi).count() == 1
    # The password still works: linking does not wipe it.
    cast.ravi.refresh_from_db()
    assert cast.ravi.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("who", "verified"),
    [("stranger@acme-corp.test", True), ("ravi@helpline.test", False), ("alice", True)],
)
def test_nobody_else_gets_in_and_nothing_is_created(cast, issuer, who, verified):
    email = cast.alice.email if who == "alice" else who
    people = User.objects.count()
    client = Client()
    refused = _sso(client, email, verified=verified)
    assert refused.status_code == 403
    assert b"No staff account for this sign-in" in refused.content
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == people, "no account is created"
    assert not SocialAccount.objects.exists()


def test_an_sso_sign_in_still_asks_for_the_second_factor(cast, issuer):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(cast.ravi, "JBSWY3DPEHPK3PXP")
    assert Authenticator.objects.filter(user=cast.ravi).exists()
    client = Client()
    answer = _sso(client, cast.ravi.email)
    assert answer.status_code == 302 and answer["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
