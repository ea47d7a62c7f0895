"""Issue 21, staff accounts: two-factor (an authenticator app, recovery codes) at the one sign-in
page, required for staff by a setting; sessions listed and ended; a password reset that ends
them and (by a setting) revokes tokens; read-only API tokens. Passkeys are in
test_browser_passkeys.py (Chromium's virtual authenticator), single sign-on in test_sso.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import mail
from django.test import Client

from helpline.accounts import services as accounts
from helpline.accounts.models import ApiToken
from helpline.audit.models import AuditEntry
from helpline.tickets.models import Ticket
from helpline.web.tests.conftest import PASSWORD
from helpline.worker import run_once

AT = datetime(2026, 12, 8, 4, 30, tzinfo=UTC)  # a Tuesday, 10:00 IST
SIGN_IN = "/accounts/login/"
SECOND_FACTOR = "/accounts/2fa/authenticate/"


def _password(*users: Any) -> None:
    for user in users:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


def _sign_in(client: Client, email: str) -> Any:
    return client.post(SIGN_IN, {"username": email, "password": PASSWORD})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _activate_totp(client: Client) -> str:
    """Adds an authenticator app through allauth's page; its secret, as the app would scan it.
    Adding a factor asks for the password again first (allauth's reauthentication)."""
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked.status_code == 302 and asked["Location"].startswith("/accounts/reauthenticate/")
    again = client.post(asked["Location"], {"password": PASSWORD})
    assert again.status_code == 302, again.content[:300]
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page.status_code
    secret: str = page.context["form"].secret
    done = client.post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302, done.content[:500]
    return secret


@pytest.fixture
def ravi_with_app(cast: Any) -> tuple[Any, str]:
    """Ravi (an agent) with an authenticator app, added after a password sign-in at ``AT``."""
    _password(cast.ravi)
    with time_machine.travel(AT, tick=False):
        client = Client()
        assert _sign_in(client, cast.ravi.email).status_code == 302
        secret = _activate_totp(client)
    return cast.ravi, secret


def test_an_authenticator_app_is_asked_for_at_every_sign_in(ravi_with_app):
    ravi, secret = ravi_with_app
    assert Authenticator.objects.filter(user=ravi, type="totp").count() == 1
    with time_machine.travel(AT + timedelta(hours=2), tick=False) as traveller:
        client = Client()
        first = _sign_in(client, ravi.email)
        assert first.status_code == 302 and first["Location"] == SECOND_FACTOR
        assert not _signed_in(client), "the password alone signs nobody in"
        assert client.get("/console/").status_code == 302
        wrong = client.post(SECOND_FACTOR, {"code": "000000"})
        assert wrong.status_code == 200 and b"Incorrect code" in wrong.content
        assert not _signed_in(client)
        code = pyotp.TOTP(secret).now()
        done = client.post(SECOND_FACTOR, {"code": code})
        assert done.status_code == 302 and _signed_in(client)
        assert client.get("/console/").status_code == 200
        # The same code is good once: a second sign-in in the same 30 s is refused with it.
        traveller.shift(timedelta(seconds=1))
        again = Client()
        _sign_in(again, ravi.email)
        replay = again.post(SECOND_FACTOR, {"code": code})
        assert replay.status_code == 200 and not _signed_in(again)
        # The app's next code (computed for the clock's new instant) works.
        traveller.shift(timedelta(seconds=30))
        assert again.post(SECOND_FACTOR, {"code": pyotp.TOTP(secret).now()}).status_code == 302
        assert _signed_in(again)


def test_recovery_codes_sign_in_once_each(ravi_with_app):
    ravi, _secret = ravi_with_app
    codes = Authenticator.objects.get(user=ravi, type="recovery_codes").wrap().get_unused_codes()
    assert len(codes) == 10, "adding the first factor made the recovery codes"
    with time_machine.travel(AT + timedelta(days=1), tick=False):
        client = Client()
        _sign_in(client, ravi.email)
        assert client.post(SECOND_FACTOR, {"code": codes[0]}).status_code == 302
        assert _signed_in(client)
        other = Client()
        _sign_in(other, ravi.email)
        used = other.post(SECOND_FACTOR, {"code": codes[0]})
        assert used.status_code == 200 and not _signed_in(other)
        assert other.post(SECOND_FACTOR, {"code": codes[1]}).status_code == 302
    left = Authenticator.objects.get(user=ravi, type="recovery_codes").wrap().get_unused_codes()
    assert codes[0] not in left and codes[1] not in left and len(left) == 8


def test_required_two_factor_keeps_staff_out_until_they_add_one(cast, settings):
    settings.STAFF_2FA = "required"
    _password(cast.ravi, cast.alice)
    with time_machine.travel(AT, tick=False):
        client = Client()
        signed = _sign_in(client, cast.ravi.email)
        assert signed.status_code == 302 and _signed_in(client)
        sent = client.get("/console/")
        assert sent.status_code == 302 and sent["Location"] == "/accounts/2fa/"
        assert client.get("/accounts/2fa/").status_code == 200
        api = client.get("/api/v1/tickets")
        assert api.status_code == 403
        assert api.json()["code"] == "two_factor_required"
        # A token is not a session: the API answers it as before.
        token = Client().get(
            "/api/v1/tickets", headers={"Authorization": f"Bearer {cast.tokens['ravi']}"}
        )
        assert token.status_code == 200
        # Merchants are not staff: nothing changes for them.
        merchant = Client()
        _sign_in(merchant, cast.alice.email)
        assert merchant.get("/support/").status_code == 200
        _activate_totp(client)
        assert client.get("/console/").status_code == 200
        assert client.get("/api/v1/tickets").status_code == 200


def test_optional_two_factor_asks_nothing_of_staff_without_one(cast, settings):
    settings.STAFF_2FA = "optional"
    _password(cast.ravi)
    client = Client()
    _sign_in(client, cast.ravi.email)
    assert client.get("/console/").status_code == 200


def test_sessions_are_listed_and_the_others_ended_by_their_owner(cast):
    _password(cast.ravi)
    laptop, phone = Client(HTTP_USER_AGENT="Laptop"), Client(HTTP_USER_AGENT="Phone")
    _sign_in(laptop, cast.ravi.email)
    _sign_in(phone, cast.ravi.email)
    listed = laptop.get("/accounts/sessions/")
    assert listed.status_code == 200
    assert b"Laptop" in listed.content and b"Phone" in listed.content
    assert UserSession.objects.filter(user=cast.ravi).count() == 2
    assert laptop.post("/accounts/sessions/").status_code == 302
    assert phone.get("/console/").status_code == 302, "the phone is signed out"
    assert laptop.get("/console/").status_code == 200, "the laptop that ended it is not"
    assert UserSession.objects.filter(user=cast.ravi).count() == 1


def test_an_admin_ends_a_persons_session(cast):
    _password(cast.ravi)
    ravi = Client()
    _sign_in(ravi, cast.ravi.email)
    session = UserSession.objects.get(user=cast.ravi)
    admin = Client()
    admin.force_login(cast.ada)
    listing = admin.get("/admin/usersessions/usersession/?q=ravi")
    assert listing.status_code == 200 and b"1 user session" in listing.content
    done = admin.post(
        "/admin/usersessions/usersession/",
        {"action": "end_sessions", "_selected_action": [session.pk]},
    )
    assert done.status_code == 302
    assert ravi.get("/console/").status_code == 302
    assert not UserSession.objects.filter(user=cast.ravi).exists()
    # Who ended how many of whose sessions: the audit trail's entry.
    (entry,) = AuditEntry.objects.filter(action="sessions_ended")
    assert (entry.actor_id, entry.subject_id, json.loads(entry.after)) == (
        cast.ada.pk,
        cast.ravi.pk,
        {"ended": 1},
    )


def _reset_password(email: str, new: str) -> None:
    Client().post("/accounts/password-reset/", {"email": email})
    run_once()
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/reset/" in line)
    client = Client()
    form = client.get("/accounts/reset/" + link.split("/accounts/reset/", 1)[1], follow=True)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302


@pytest.mark.parametrize("revoke_tokens", [True, False])
def test_a_password_reset_ends_every_session_and_by_the_setting_the_tokens(
    cast, settings, revoke_tokens
):
    settings.RESET_REVOKES_TOKENS = revoke_tokens
    _password(cast.alice)
    _token, raw = accounts.token_create(user=cast.alice, name="script")
    stolen = Client()
    _sign_in(stolen, cast.alice.email)
    assert stolen.get("/support/").status_code == 200
    _reset_password(cast.alice.email, "another long passphrase")
    assert stolen.get("/support/").status_code == 302, "the other session is over"
    assert not UserSession.objects.filter(user=cast.alice).exists()
    api = Client().get("/api/v1/tickets", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == (401 if revoke_tokens else 200)
    live = ApiToken.objects.filter(user=cast.alice, revoked_at__isnull=True).count()
    assert live == (0 if revoke_tokens else 2)  # the cast's own token and "script"


def test_a_read_only_token_reads_and_every_write_gets_403_in_json(cast):
    _row, raw = accounts.token_create(user=cast.alice, name="dashboard", read_only=True)
    headers = {"Authorization": f"Bearer {raw}"}
    client = Client()
    assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    before = Ticket.objects.count()
    body = {
        "store": cast.acme_shoes.pk,
        "subject": "Checkout down",
        "description": "500 on pay",
        "issue_type": "functionality",
    }
    writes = [
        ("post", "/api/v1/tickets"),
        ("put", "/api/v1/me/notification-preferences"),
        ("patch", "/api/v1/dev-tickets/1"),
        ("delete", f"/api/v1/tokens/{_row.pk}"),
    ]
    for method, path in writes:
        answer = getattr(client, method)(
            path, body, content_type="application/json", headers=headers
        )
        assert answer.status_code == 403, (method, path, answer.status_code)
        assert answer["Content-Type"].startswith("application/json")
        assert answer.json()["code"] == "read_only_token"
    assert Ticket.objects.count() == before, "nothing was written"
    assert ApiToken.objects.get(pk=_row.pk).revoked_at is None
    # The same person's ordinary token writes.
    ok = client.post(
        "/api/v1/tickets",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {cast.tokens['alice']}"},
    )
    assert ok.status_code == 201, ok.content


def test_an_admin_issues_a_read_only_token_through_the_api(cast):
    client = Client()
    made = client.post(
        f"/api/v1/users/{cast.lena.pk}/tokens",
        {"name": "wallboard", "read_only": True},
        content_type="application/json",
        headers={"Authorization": f"Bearer {cast.tokens['ada']}"},
    )
    assert made.status_code == 201 and made.json()["read_only"] is True
    assert ApiToken.objects.get(pk=made.json()["id"]).read_only


def test_sign_ins_and_failures_reach_djangos_signals_for_the_audit(cast):
    _password(cast.ravi)
    heard: list[str] = []

    def ok(sender: Any, user: Any, **kwargs: Any) -> None:
        heard.append(f"in {user.email}")

    def failed(sender: Any, credentials: Any, **kwargs: Any) -> None:
        heard.append(f"failed {credentials.get('username')}")

    user_logged_in.connect(ok)
    user_login_failed.connect(failed)
    try:
        client = Client()
        client.post(SIGN_IN, {"username": cast.ravi.email, "password": "wrong"})
        _sign_in(client, cast.ravi.email)
    finally:
        user_logged_in.disconnect(ok)
        user_login_failed.disconnect(failed)
    assert heard == [f"failed {cast.ravi.email}", f"in {cast.ravi.email}"]
