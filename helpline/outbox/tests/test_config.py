"""HELPLINE_EMAIL_URL, HELPLINE_SUPPORT_ADDRESS and the WhatsApp URL: read loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpline.core import config

pytestmark = pytest.mark.pure


def test_smtp_urls(tmp_path: Path) -> None:
    plain = config.email_url({"HELPLINE_EMAIL_URL": "smtp://mail.example.com"}, tmp_path)
    assert (plain["EMAIL_HOST"], plain["EMAIL_PORT"], plain["EMAIL_USE_TLS"]) == (
        "mail.example.com",
        25,
        False,
    )
    tls = config.email_url(
        {"HELPLINE_EMAIL_URL": "smtp+tls://ops%40example.com:p%2Fw@smtp.example.com:2525"},
        tmp_path,
    )
    assert tls["EMAIL_PORT"] == 2525 and tls["EMAIL_USE_TLS"] and not tls["EMAIL_USE_SSL"]
    assert (tls["EMAIL_HOST_USER"], tls["EMAIL_HOST_PASSWORD"]) == ("ops@example.com", "p/w")
    ssl = config.email_url({"HELPLINE_EMAIL_URL": "smtps://smtp.example.com"}, tmp_path)
    assert ssl["EMAIL_PORT"] == 465 and ssl["EMAIL_USE_SSL"]


def test_no_email_url_writes_mail_to_files(tmp_path: Path) -> None:
    cfg = config.email_url({}, tmp_path)
    assert cfg["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
    assert cfg["EMAIL_FILE_PATH"] == str(tmp_path / "sent-mail")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("imap://mail.example.com", "not imap://"),
        ("smtp://", "names no host"),
        ("smtp://user:secret@host:notaport", "cannot be read"),
    ],
)
def test_bad_email_urls_are_one_clear_line_without_the_password(
    tmp_path: Path, raw: str, message: str
) -> None:
    with pytest.raises(config.ConfigError, match=message) as err:
        config.email_url({"HELPLINE_EMAIL_URL": raw}, tmp_path)
    assert "secret" not in str(err.value)


def test_support_address() -> None:
    env = {"HELPLINE_SUPPORT_ADDRESS": "Acme Support <support@acme.example>"}
    assert (
        config.email_address(env, "HELPLINE_SUPPORT_ADDRESS", "x@y.z")
        == env["HELPLINE_SUPPORT_ADDRESS"]
    )
    for bad in ("support", "support@", "@acme.example", "support@localhost"):
        with pytest.raises(config.ConfigError, match="HELPLINE_SUPPORT_ADDRESS"):
            config.email_address({"HELPLINE_SUPPORT_ADDRESS": bad}, "HELPLINE_SUPPORT_ADDRESS", "")


def test_whatsapp_url() -> None:
    assert config.http_url({}, "U", "https://graph.facebook.com/v21.0/") == (
        "https://graph.facebook.com/v21.0"
    )
    with pytest.raises(config.ConfigError, match="not an http"):
        config.http_url({"U": "ftp://x"}, "U", "https://a.b")
