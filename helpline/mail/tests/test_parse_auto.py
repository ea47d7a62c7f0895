"""Robots: bounces, complaints, receipts, auto-replies and list mail (autoreply.detect_auto)."""

from __future__ import annotations

import pytest

from helpline.mail.autoreply import AUTO_REASONS, detect_auto
from helpline.mail.parse import parse

pytestmark = pytest.mark.pure


def message(headers: str, body: str = "hello", content_type: str = "text/plain") -> bytes:
    return (
        f"From: Someone <someone@shop.example>\r\nTo: support@helpline.example\r\n"
        f"Subject: question\r\nMessage-ID: <m@shop.example>\r\n{headers}"
        f"Content-Type: {content_type}\r\n\r\n{body}"
    ).encode()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-replied\r\n", "auto-submitted"),
        ("Auto-Submitted: auto-generated\r\n", "auto-submitted"),
        ("Auto-Submitted: auto-notified; owner-email=x@y\r\n", "auto-submitted"),
        ("X-Autoreply: yes\r\n", "autoreply"),
        ("X-Autorespond: on\r\n", "autoreply"),
        ("X-Auto-Response-Suppress: All\r\n", "autoreply"),
        ("X-Auto-Response-Suppress: OOF, AutoReply\r\n", "autoreply"),
        ("Precedence: bulk\r\n", "bulk"),
        ("Precedence: list\r\n", "list"),
        ("Precedence: junk\r\n", "precedence"),
        ("List-Id: <news.shop.example>\r\n", "list"),
        ("List-Unsubscribe: <mailto:u@shop.example>\r\n", "list"),
        ("Return-Path: <>\r\n", "bounce"),
        ("X-Failed-Recipients: a@b.example\r\n", "bounce"),
    ],
)
def test_headers(headers, reason):
    assert reason in AUTO_REASONS
    assert parse(message(headers)).auto == reason


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: no\r\n",
        "Auto-Submitted: No\r\n",
        "X-Auto-Response-Suppress: DR, RN, NRN\r\n",  # only receipts suppressed: a person
        "Precedence: normal\r\n",
        "X-Autoreply: no\r\n",
        "",
    ],
)
def test_human_mail_is_not_automatic(headers):
    assert parse(message(headers)).auto is None


@pytest.mark.parametrize(
    ("report_type", "inner", "reason"),
    [
        ("delivery-status", "message/delivery-status", "bounce"),
        ("feedback-report", "message/feedback-report", "complaint"),
        ("disposition-notification", "message/disposition-notification", "receipt"),
    ],
)
def test_reports(report_type, inner, reason):
    body = (
        f"--r\r\nContent-Type: text/plain\r\n\r\nreport\r\n--r\r\nContent-Type: {inner}\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; a@b.example\r\n--r--\r\n"
    )
    raw = message(
        "MIME-Version: 1.0\r\n",
        body,
        f'multipart/report; report-type={report_type}; boundary="r"',
    )
    msg = parse(raw)
    assert msg.auto == reason
    assert any(a.content_type == inner for a in msg.attachments)  # the report is kept


@pytest.mark.parametrize(
    ("sender", "subject", "reason"),
    [
        ("MAILER-DAEMON@mx.example", "anything", "bounce"),
        ("postmaster@mx.example", "anything", "bounce"),
        ("x@y.example", "Undelivered Mail Returned to Sender", "bounce"),
        ("x@y.example", "Delivery Status Notification (Failure)", "bounce"),
        ("x@y.example", "Out of Office: your ticket", "autoreply"),
        ("x@y.example", "Automatic reply: [HL-1] hello", "autoreply"),
        ("x@y.example", "AW: Abwesenheitsnotiz", "autoreply"),
        ("x@y.example", "Réponse automatique : absent", "autoreply"),
        ("x@y.example", "Read: your ticket", "receipt"),
        ("x@y.example", "complaint about message from 192.0.2.1", "complaint"),
    ],
)
def test_sender_and_subject_fallbacks(sender, subject, reason):
    assert detect_auto({}, from_address=sender.lower(), subject=subject) == reason


@pytest.mark.parametrize(
    "subject",
    [
        "Out of stock items not showing",  # "out of" but not the office
        "Re: delivery address wrong",
        "Automatic discounts broken",
        "Our system is down",
        "Return of an order",
    ],
)
def test_ordinary_subjects_are_not_robots(subject):
    assert detect_auto({}, from_address="merchant@shop.example", subject=subject) is None
