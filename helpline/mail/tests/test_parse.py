"""parse(): bytes → ParsedMessage on the project's own fixtures (fixtures/*.eml)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpline.mail.mime import MailAttachment, safe_filename
from helpline.mail.parse import ParsedMessage, html_to_text, parse
from helpline.mail.subject import priority_tags

pytestmark = pytest.mark.pure

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> ParsedMessage:
    return parse((FIXTURES / name).read_bytes())


def test_the_interface_is_frozen_and_typed():
    msg = load("gmail_reply.eml")
    assert isinstance(msg, ParsedMessage)
    with pytest.raises(dataclasses.FrozenInstanceError):
        msg.subject = "x"  # type: ignore[misc]
    assert isinstance(msg.in_reply_to, tuple) and isinstance(msg.attachments, tuple)
    assert msg.headers["message-id"] == "<CAF=abc123+XYZ@mail.gmail.com>"
    with pytest.raises(TypeError):
        msg.headers["x"] = "y"  # type: ignore[index]


def test_gmail_reply():
    msg = load("gmail_reply.eml")
    assert msg.message_id == "CAF=abc123+XYZ@mail.gmail.com"  # case and = kept, no <>
    assert msg.in_reply_to == ("hl.1042.a1b2c3@helpline.example",)
    assert msg.references == ("first@gmail.com", "hl.1042.a1b2c3@helpline.example")
    assert (msg.from_address, msg.from_name) == ("ravi.kumar@gmail.com", "Ravi Kumar")
    assert msg.to == ("support@helpline.example",)
    assert msg.subject == "Re: [HL-1042] Payment gateway timeouts"
    assert msg.date == datetime(2026, 3, 4, 4, 32, 11, tzinfo=UTC)
    assert (
        msg.new_text
        == "Thanks, the timeouts stopped after 14:00. We will watch it tonight.\n\nRavi"
    )
    assert "We restarted the gateway workers" in msg.text  # the whole body is kept
    assert msg.html is not None and 'class="gmail_quote"' in msg.html
    assert msg.auto is None and msg.defects == ()


def test_outlook_reply():
    msg = load("outlook_reply.eml")
    assert msg.from_address == "anita.singh@bigretail.example"  # lower-cased
    assert msg.from_name == "Singh, Anita"
    assert msg.cc == ("ops@bigretail.example", "tom.lee@bigretail.example")
    assert msg.new_text == (
        "Hi team,\n\nThe product images are still missing on the category pages.\n\nRegards,\nAnita"
    )
    assert "We have cleared the CDN cache" in msg.text


def test_apple_mail_reply_in_french():
    msg = load("apple_mail_reply.eml")
    assert msg.new_text == "Merci, l’export fonctionne maintenant."
    assert msg.date == datetime(2026, 3, 6, 10, 0, tzinfo=UTC)


def test_forwarded_mail_keeps_the_forwarded_message_as_an_eml_attachment():
    msg = load("forwarded.eml")
    assert msg.new_text == "Can you look at this? Our payout bounced."
    assert "Your payout of INR 12,000 failed." in msg.text
    eml, logo = msg.attachments
    assert (eml.filename, eml.content_type, eml.source) == (
        "Your payout failed.eml",
        "message/rfc822",
        "message/rfc822",
    )
    assert b"Message-ID: <payout-77@bank.example>" in eml.data
    # The path in the file name is dropped; the cid image is inline.
    assert logo == MailAttachment(
        filename="logo.png",
        content_type="image/png",
        data=b"\x89PNG\r\n\x1a\n",
        inline=True,
        content_id="logo@shop",
    )
    assert msg.auto is None


def test_c1_and_system_down_subjects():
    c1 = load("c1_subject.eml")
    assert priority_tags(c1.subject) == "C1"
    assert c1.from_address == "priya.sharma@example-store.in"
    down = load("system_down_encoded.eml")  # RFC 2047 base64 subject, QP body
    assert down.subject == "System Down – der Shop ist weg"
    assert priority_tags(down.subject) == "C1"
    assert down.from_name == "Jürgen Müller"
    assert down.text.strip() == "Der Shop ist seit 5 Uhr nicht erreichbar. Grüße"
    assert down.date == datetime(2026, 3, 3, 4, 10, tzinfo=UTC)  # "-0000" is UTC


def test_out_of_office_replies_are_automatic():
    assert load("out_of_office.eml").auto == "auto-submitted"
    # No header at all: the subject is the fallback.
    assert load("ooo_subject_only.eml").auto == "autoreply"


def test_broken_mime_is_decoded_best_effort_with_its_defects():
    msg = load("broken_mime.eml")
    assert msg.text == "Hello, the shop is down"
    (pdf,) = msg.attachments
    assert (pdf.filename, pdf.data) == ("invoice.pdf", b"%PDF-1.4\n")
    assert msg.date is None
    assert "mime: CloseBoundaryNotFoundDefect" in msg.defects
    assert "mime: InvalidBase64CharactersDefect" in msg.defects
    assert any(d.startswith("date: unparseable") for d in msg.defects)


def test_lying_and_unknown_charsets_are_decoded_and_recorded():
    msg = load("lying_charset.eml")
    assert msg.text == "Café crème €12\nnaïve"  # UTF-8 declared as Latin-1; cp1252 fallback
    assert msg.from_name == "René"
    assert msg.subject == "café order"
    assert "part 1 (text/plain): declared iso-8859-1 but the content is UTF-8" in msg.defects
    assert "part 2 (text/plain): unknown charset 'x-klingon'" in msg.defects
    assert "subject: unknown charset 'x-unknown-charset'" in msg.defects


def test_raw_8bit_headers_and_body_without_charset():
    msg = load("eightbit_headers.eml")
    assert msg.subject == "Grüße aus Köln"
    assert msg.from_name == "Zoë"
    assert msg.text.strip() == "Für den Shop: Straße"  # Latin-1 bytes, no charset: cp1252
    assert "part 1 (text/plain): 8-bit content without a charset" in msg.defects


def test_html_only_message_gets_a_text_body():
    raw = (
        b"From: a@b.example\r\nSubject: html\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p{}</style></head><body><p>Hello&nbsp;there</p><p>Line two<br>"
        b"three</p><blockquote>old<br>mail</blockquote><script>x()</script></body></html>"
    )
    msg = parse(raw)
    assert msg.text == "Hello there\n\nLine two\nthree\n\n> old\n> mail"
    assert msg.new_text == "Hello there\n\nLine two\nthree"
    assert msg.html is not None and msg.html.startswith("<html>")


def test_html_to_text():
    assert html_to_text("<ul><li>one</li><li>two</li></ul>") == "- one\n- two"
    assert html_to_text("<p>a</p><p></p><p></p><p>b</p>") == "a\n\nb"
    assert html_to_text("<div>a</div><div>b</div>x<br><br><br>y") == "a\nb\nx\n\ny"
    assert html_to_text("<pre>  x\n  y</pre>") == "  x\n  y"
    assert html_to_text('<img alt="logo" src="cid:x">') == "[logo]"
    assert html_to_text("<p>&lt;tag&gt; &amp; &eacute;</p>") == "<tag> & é"
    assert html_to_text("<div><unclosed") == "<unclosed"  # kept, not lost
    assert html_to_text("") == ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\invoice.pdf", "invoice.pdf"),
        ("  ..  ", "attachment-3.pdf"),
        (None, "attachment-3.pdf"),
        ("a\x00b:c?.txt", "a_b_c_.txt"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name, "application/pdf", 3) == expected


def test_dates_and_message_ids():
    raw = (
        b"From: x@y.example\r\nDate: Tue, 3 Mar 2026 18:40:00 +0530\r\n"
        b"Message-ID: <Mixed.Case@Host>\r\nIn-Reply-To: <a@b> (comment) <c@d>\r\n"
        b"References: <a@b>\r\n  <a@b> bare@id\r\n\r\nbody"
    )
    msg = parse(raw)
    assert msg.date == datetime(2026, 3, 3, 13, 10, tzinfo=UTC)
    assert msg.message_id == "Mixed.Case@Host"
    assert msg.in_reply_to == ("a@b", "c@d")
    assert msg.references == ("a@b",)  # duplicates dropped


def test_unparseable_addresses_give_an_empty_sender_and_a_defect():
    msg = parse(b"From: not an address\r\nTo: ;;;\r\nSubject: x\r\n\r\nbody")
    assert msg.from_address == ""
    assert msg.defects
    assert msg.text == "body"


def test_winmail_dat_inside_a_message_is_extracted_or_kept():
    # A winmail.dat that is not TNEF at all: kept as it is, with the reason.
    raw = (
        b"From: o@outlook.example\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\n"
        b"see attached\r\n--b\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nbm90IHRuZWY=\r\n--b--\r\n"
    )
    msg = parse(raw)
    (dat,) = msg.attachments
    assert (dat.filename, dat.data, dat.source) == ("winmail.dat", b"not tnef", "mime")
    assert any("TNEF not readable" in d for d in msg.defects)


def test_an_image_the_html_shows_by_cid_is_inline_and_named_text_parts_are_files():
    raw = (
        b"From: a@b.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related; boundary="r"\r\n\r\n'
        b'--r\r\nContent-Type: text/html\r\n\r\n<p>see <img src="cid:shot@x"></p>\r\n'
        b"--r\r\nContent-Type: image/png\r\nContent-ID: <shot@x>\r\n"
        b"Content-Disposition: attachment; filename=shot.png\r\n\r\nPNG\r\n"
        b"--r\r\nContent-Type: image/png; name=other.png\r\nContent-ID: <other@x>\r\n"
        b"Content-Disposition: attachment\r\n\r\nPNG\r\n"
        b"--r\r\nContent-Type: text/plain; name=server.log\r\n\r\nERROR 500\r\n--r--\r\n"
    )
    msg = parse(raw)
    shot, other, log = msg.attachments
    assert (shot.filename, shot.inline, shot.content_id) == ("shot.png", True, "shot@x")
    assert (other.filename, other.inline) == ("other.png", False)  # not shown by the HTML
    assert (log.filename, log.data) == ("server.log", b"ERROR 500")
    assert msg.text == "see"  # from the HTML; the log is not the body


def test_a_single_part_message_that_names_itself_is_still_the_body():
    msg = parse(b"From: a@b.example\r\nContent-Type: text/plain; name=note.txt\r\n\r\nhello")
    assert (msg.text, msg.attachments) == ("hello", ())


@pytest.mark.parametrize("declared", ["koi8-r", "windows-1251", "iso-8859-2", "us-ascii"])
def test_utf8_declared_as_any_single_byte_charset_is_read_as_utf8(declared):
    body = "Привет, Łódź".encode()
    raw = f"From: a@b.example\r\nContent-Type: text/plain; charset={declared}\r\n\r\n".encode()
    msg = parse(raw + body)
    assert msg.text == "Привет, Łódź"
    assert any("UTF-8" in d for d in msg.defects)


def test_real_single_byte_text_stays_in_its_charset():
    raw = b"From: a@b.example\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n"
    msg = parse(raw + "Привет".encode("koi8-r"))
    assert (msg.text, msg.defects) == ("Привет", ())
