"""Sign-in: every page needs it unless public on purpose; failed sign-ins are slowed down;
password reset by mail; each role lands on its home."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from helpline.conftest import T0
from helpline.outbox.models import Outbox
from helpline.web import throttle
from helpline.web.tests.conftest import PASSWORD
from helpline.worker import run_once

# Pages that answer without a sign-in, on purpose: signing in and resetting a password, and
# the help page (the published support policy).
EXPECTED_PUBLIC = {
    "web:login",
    "web:password_reset",
    "web:password_reset_done",
    "web:password_reset_confirm",
    "web:password_reset_complete",
    "web:help",
    "web:status",  # the platform status page (no store named)
    "web:quote-link",  # the signed link in the mail is the credential
    # Status subscriptions (decision 0226): anyone subscribes by mail; the signed links are the
    # credential; a published incident's root-cause report is public like the status page.
    "web:status-subscribe",
    "web:status-subscribe-mail",
    "web:status-confirm",
    "web:status-unsubscribe",
    "web:status-root-cause",
    "web:survey-link",  # likewise, a satisfaction survey's link (decision 0201)
    "web:article",  # a public help article (merchant-only ones answer 404, decision 0220)
}
SAMPLE_KWARGS = {
    "ticket_id": 1,
    "article_id": 1,
    "category": "getting-help",
    "slug": "before-a-c1",
    "view_id": 1,
    "action": "close",
    "uidb64": "MQ",
    "token": "x-y",
    "attachment_id": 1,
}
SAMPLE_KWARGS.update({"store_id": 1, "year": 2026, "month": 11, "fmt": "csv"})
SAMPLE_KWARGS.update({"store_id": 1, "fmt": "csv", "dev_id": "1", "request_id": 1})
SAMPLE_KWARGS.update({"subscription_id": 1, "signature": "x", "report_id": 1})  # status
SAMPLE_KWARGS.update({"follow_up_id": 1})  # a low score's follow-up


def web_patterns() -> list[tuple[str, str, bool]]:
    resolver = get_resolver()
    found: list[tuple[str, str, bool]] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "web":
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern)
                route = str(pattern.pattern)
                for key, value in SAMPLE_KWARGS.items():
                    route = route.replace(f"<int:{key}>", str(value))
                    route = route.replace(f"<str:{key}>", str(value))
                    route = route.replace(f"<slug:{key}>", str(value))
                    route = route.replace(f"<{key}>", str(value))
                marked = getattr(pattern.callback, "helpline_public", False)
                found.append((f"web:{pattern.name}", "/" + route, marked))
    return found


def test_every_page_needs_a_sign_in_unless_public_on_purpose(db):
    client = Client()
    public, marked = set(), set()
    for name, url, is_marked in web_patterns():
        if is_marked:
            marked.add(name)
        if name == "web:logout":
            continue
        response = client.get(url)
        if response.status_code in (301, 302) and "/accounts/login/" in response["Location"]:
            continue
        public.add(name)
    assert public == EXPECTED_PUBLIC
    assert marked == EXPECTED_PUBLIC


def test_posts_need_a_sign_in_too(db):
    response = Client().post("/support/t/1/reply/", {"body": "hi"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.fixture
def passwords(cast):
    for user in (cast.alice, cast.ravi, cast.maya, cast.eric, cast.ada):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return cast


@pytest.mark.parametrize(
    ("who", "home"),
    [
        ("alice", "/support/"),
        ("ravi", "/console/?q=mine"),
        ("maya", "/console/am/"),
        ("eric", "/console/dev/"),
        ("ada", "/console/desk/"),
    ],
)
def test_sign_in_lands_on_the_role_home(passwords, who, home):
    client = Client()
    email = getattr(passwords, who).email
    response = client.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == home


def test_csrf_is_enforced_on_sign_in(passwords):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "alice@acme.test", "password": PASSWORD}
    )
    assert response.status_code == 403


def test_sign_out_ends_the_session(passwords):
    client = Client()
    client.force_login(passwords.alice)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/support/").status_code == 302


def test_repeated_failures_lock_the_pair_out_even_with_the_right_password(passwords):
    client = Client()
    for _ in range(throttle.FREE_FAILURES):
        response = client.post("/accounts/login/", {"username": "alice@acme.test", "password": "x"})
        assert response.status_code == 200
        assert b"Too many" not in response.content
    response = client.post(
        "/accounts/login/", {"username": "ALICE@acme.test", "password": PASSWORD}
    )
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session
    # Another address (another person) is not locked out by these failures.
    other = Client(REMOTE_ADDR="10.0.0.9")
    ok = other.post("/accounts/login/", {"username": "alice@acme.test", "password": PASSWORD})
    assert ok.status_code == 302


def test_an_empty_password_does_not_reset_the_count(passwords):
    client = Client()
    for _ in range(throttle.FREE_FAILURES - 1):
        client.post("/accounts/login/", {"username": "alice@acme.test", "password": "x"})
    client.post("/accounts/login/", {"username": "alice@acme.test", "password": ""})
    client.post("/accounts/login/", {"username": "alice@acme.test", "password": "x"})
    response = client.post(
        "/accounts/login/", {"username": "alice@acme.test", "password": PASSWORD}
    )
    assert b"Too many failed sign-ins" in response.content


def test_lock_lengths_double_up_to_a_cap():
    assert throttle.lock_length(throttle.FREE_FAILURES - 1) is None
    assert throttle.lock_length(throttle.FREE_FAILURES) == throttle.BASE_LOCK
    assert throttle.lock_length(throttle.FREE_FAILURES + 1) == 2 * throttle.BASE_LOCK
    assert throttle.lock_length(throttle.FREE_FAILURES + 40) == throttle.MAX_LOCK


def test_a_lock_expires_and_success_clears_the_count(db):
    key = throttle.throttle_key("a@b.test", "1.2.3.4")
    for i in range(throttle.FREE_FAILURES):
        throttle.record_failure(key, now=T0 + timedelta(seconds=i))
    assert throttle.locked_for(key, now=T0 + timedelta(seconds=5)) is not None
    assert throttle.locked_for(key, now=T0 + timedelta(minutes=5)) is None
    throttle.record_success(key)
    assert throttle.record_failure(key, now=T0 + timedelta(minutes=6)) is None


def test_old_failures_are_forgotten(db):
    key = throttle.throttle_key("a@b.test", "1.2.3.4")
    for i in range(throttle.FREE_FAILURES - 1):
        throttle.record_failure(key, now=T0 + timedelta(seconds=i))
    assert throttle.record_failure(key, now=T0 + timedelta(days=2)) is None


def test_password_reset_by_mail(passwords):
    client = Client()
    # Our pages, not the admin's templates of the same name (it is an earlier app).
    asked = client.get("/accounts/password-reset/").content.decode()
    assert "Send the link" in asked and "Django administration" not in asked
    response = client.post("/accounts/password-reset/", {"email": "alice@acme.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0  # not sent inside the request: written to the outbox
    assert Outbox.objects.filter(kind="password_reset", recipient="alice@acme.test").count() == 1
    run_once()  # the worker delivers it
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/accounts/reset/" in line)
    path = link.split(settings.BASE_URL, 1)[1]  # HELPLINE_BASE_URL, never the Host header
    form = client.get(path, follow=True)
    assert form.status_code == 200 and b"new_password1" in form.content
    assert "web/auth/password_reset_confirm.html" in [t.name for t in form.templates]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    assert done.status_code == 302
    assert b"Sign in</a> with your new password" in client.get(done["Location"]).content
    assert Client().login(username="alice@acme.test", password="a new long passphrase")


def test_password_reset_says_the_same_for_unknown_addresses(db):
    response = Client().post("/accounts/password-reset/", {"email": "nobody@x.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_the_admin_signs_in_on_the_one_sign_in_page(cast):
    """The admin has no sign-in page of its own (it would be a way round the throttle and the
    second factor): it sends people to the one page, and back to the admin after."""
    ada = cast.ada
    ada.set_password(PASSWORD)
    ada.save(update_fields=["password"])
    assert ada.is_staff, "admins reach the Django admin"
    client = Client()
    sent = client.get("/admin/login/?next=/admin/accounts/user/")
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    # A POST to the admin's old form signs nobody in.
    client.post("/admin/login/", {"username": ada.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    for _ in range(throttle.FREE_FAILURES):
        client.post("/accounts/login/", {"username": ada.email, "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": ada.email, "password": PASSWORD})
    assert locked.status_code == 429 and b"Too many failed sign-ins" in locked.content
    assert "_auth_user_id" not in client.session
    ok = Client(REMOTE_ADDR="10.0.0.9").post(
        "/accounts/login/", {"username": ada.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/admin/"


def test_every_admin_page_renders_for_an_admin_and_no_one_else(cast, client):
    from django.contrib import admin

    client.force_login(cast.ada)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        listing = f"/admin/{meta.app_label}/{meta.model_name}/"
        assert client.get(listing).status_code == 200, listing
        if model_admin.has_add_permission(client.get(listing).wsgi_request):
            assert client.get(f"{listing}add/").status_code == 200, listing
    for name in ("ravi", "alice", "maya"):
        other = Client()
        other.force_login(getattr(cast, name))
        assert other.get("/admin/tickets/ticket/").status_code == 302, name
