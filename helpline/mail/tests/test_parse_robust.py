"""parse() never raises: hostile, truncated, random and enormous input gives defects instead."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.mail.mime import MAX_DEPTH, MAX_PARTS
from helpline.mail.parse import ParsedMessage, parse

pytestmark = pytest.mark.pure

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.eml"))


def check(raw: bytes) -> ParsedMessage:
    msg = parse(raw)
    assert isinstance(msg, ParsedMessage)
    assert isinstance(msg.text, str) and isinstance(msg.new_text, str)
    assert all(a.filename for a in msg.attachments)
    assert msg.date is None or msg.date.utcoffset() is not None
    return msg


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00" * 1000,
        b"\r\n\r\n",
        b"Subject: only a header",
        b'From: <>\r\nTo: <@>\r\nCc: "unterminated\r\nDate: Feb 31 2026 99:99\r\n\r\n',
        b"Content-Type: multipart/mixed\r\n\r\nno boundary at all",
        b'Content-Type: multipart/mixed; boundary=""\r\n\r\n--\r\n--',
        b'Content-Type: text/plain; charset="utf-16"\r\n\r\n\xff\xfe\x00',
        b"Content-Type: text/plain; charset=utf-7\r\n\r\n+ZeVnLIqe-+AAA-+",
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n====",
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=",
        b"Subject: =?utf-8?b?!!!?= =?bogus?q?x?= =?utf-8?q?=FF=FE?=\r\n\r\nx",
        b"Content-Type: message/rfc822\r\n\r\nnot really a message",
        b"Content-Type: application/ms-tnef\r\n\r\n\x78\x9f\x3e\x22garbage",
        b"Message-ID: " + b"<" * 5000 + b"\r\n\r\n",
        b"Content-Disposition: attachment; filename*=utf-8''%FF%FE%2F..%2Fx\r\n\r\ndata",
        "From: Zoë <z@x>\r\nSubject: \udcff\r\n\r\n".encode("utf-8", "surrogateescape"),
    ],
)
def test_hostile_input(raw):
    check(raw)


def test_deep_nesting_is_cut_with_a_defect():
    depth = MAX_DEPTH + 20
    raw = b"".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
        for i in range(depth)
    )
    raw += b"Content-Type: text/plain\r\n\r\ndeep\r\n"
    msg = check(raw)
    assert any("nested deeper" in d for d in msg.defects)


def test_too_many_parts_are_cut_with_a_defect():
    parts = b"".join(
        b"--b\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n" for _ in range(MAX_PARTS + 5)
    )
    msg = check(b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + parts + b"--b--\r\n")
    assert len(msg.attachments) == MAX_PARTS
    assert any("more than" in d for d in msg.defects)


def test_nested_attached_messages():
    inner = b"Subject: level\r\n\r\nbody"
    for _ in range(50):
        inner = b"Subject: level\r\nContent-Type: message/rfc822\r\n\r\n" + inner
    msg = check(inner)
    assert len(msg.attachments) == 1  # only the outermost is opened; the rest is its bytes


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_every_truncation_and_corruption_of_the_fixtures(path):
    raw = path.read_bytes()
    for cut in range(0, len(raw), max(1, len(raw) // 40)):
        check(raw[:cut])
    rng = random.Random(path.name)  # noqa: S311 - reproducible corruption, not secrets
    for _ in range(30):
        data = bytearray(raw)
        for _ in range(10):
            data[rng.randrange(len(data))] = rng.randrange(256)
        check(bytes(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes(raw):
    check(raw)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                b"From: a@b\r\n",
                b"Subject: =?utf-8?q?x?=\r\n",
                b'Content-Type: multipart/mixed; boundary="q"\r\n',
                b"Content-Type: text/html; charset=x-nope\r\n",
                b"Content-Transfer-Encoding: base64\r\n",
                b"\r\n",
                b"--q\r\n",
                b"--q--\r\n",
                b"> quoted\r\n",
                b"On Mon, 1 Jan 2026, a <a@b> wrote:\r\n",
                b"<p>html</p>\r\n",
                b"\xff\xfe\r\n",
            ]
        ),
        max_size=60,
    )
)
def test_random_mime_shapes(chunks):
    check(b"".join(chunks))
