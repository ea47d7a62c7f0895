"""The CLI's user and token commands, and how tokens are kept."""

from __future__ import annotations

import hashlib
import io
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password

from helpline.accounts import services
from helpline.accounts.models import ApiToken, User
from helpline.cli import main
from helpline.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_user_create_and_token_create_print_what_a_script_needs(cast, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: no prompt
    code, out, _ = run(
        "user", "create", "Priya@Acme.test", "--role", "merchant", "--merchant", "acme"
    )
    assert code == 0
    assert "priya@acme.test (merchant)" in out
    user = User.objects.get(email="priya@acme.test")
    assert user.merchant == cast.acme and not user.has_usable_password()
    code, out, _ = run("token", "create", "priya@acme.test")
    assert code == 0
    token = out.strip()
    assert token.startswith("hl_") and "\n" not in token
    assert ApiToken.objects.get(user=user).digest == hashlib.sha256(token.encode()).hexdigest()
    assert services.token_authenticate(token) == user
    assert not ApiToken.objects.get(user=user).read_only


def test_the_cli_makes_a_read_only_token(cast) -> None:
    code, out, _ = run("token", "create", cast.lena.email, "--name", "wallboard", "--read-only")
    assert code == 0
    row = services.token_find(out.strip())
    assert row is not None and row.read_only and row.user == cast.lena and row.name == "wallboard"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("user", "create", "x@y.test", "--role", "wizard"), "unknown role"),
        (("user", "create", "x@y.test", "--role", "merchant"), "needs a merchant"),
        (("user", "create", "x@y.test", "--role", "merchant", "--merchant", "nope"), "not found"),
        (("user", "create", "not-an-email", "--role", "agent"), "not an e-mail"),
        (("user", "create", "ravi@helpline.test", "--role", "agent"), "exists already"),
        (("token", "create", "ghost@nowhere.test"), "no user"),
    ],
)
def test_bad_input_is_one_clear_line_and_writes_nothing(
    cast, argv: tuple[str, ...], message: str
) -> None:
    users = User.objects.count()
    code, _out, err = run(*argv)
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert User.objects.count() == users


def test_the_password_option_sets_a_password(cast) -> None:
    code, _, _ = run(
        "user", "create", "kim@helpline.test", "--role", "agent", "--password", "s3cret-enough-pw"
    )
    assert code == 0
    assert User.objects.get(email="kim@helpline.test").check_password("s3cret-enough-pw")


def test_a_password_hash_made_once_serves_several_users(cast) -> None:
    shared = make_password("demo-agent-2026")  # how the demo hashes a role's password once
    for email in ("kim@helpline.test", "lee@helpline.test"):
        user = services.user_create(email=email, role="agent", password_hash=shared)
        user.refresh_from_db()
        assert user.check_password("demo-agent-2026")
        assert not user.check_password("something else")


def test_a_password_and_a_hash_together_are_refused(cast) -> None:
    users = User.objects.count()
    with pytest.raises(InvalidInput, match="not both"):
        services.user_create(
            email="kim@helpline.test",
            role="agent",
            password="s3cret-enough-pw",
            password_hash=make_password("other"),
        )
    assert User.objects.count() == users


def test_last_use_is_recorded_at_most_once_a_minute(cast) -> None:
    token, raw = services.token_create(user=cast.ravi)
    t0 = token.created_at
    services.token_authenticate(raw, now=t0)
    services.token_authenticate(raw, now=t0 + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == t0
    services.token_authenticate(raw, now=t0 + timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == t0 + timedelta(seconds=61)


def test_a_revoked_token_no_longer_authenticates(cast) -> None:
    token, raw = services.token_create(user=cast.ravi)
    services.token_revoke(token=token)
    assert services.token_authenticate(raw) is None
    assert services.token_authenticate("hl_garbage") is None


def test_seed_holidays_job_is_idempotent() -> None:
    code, out, _ = run("sla", "seed-holidays")
    assert code == 0
    assert "business-in: nothing new" in out
