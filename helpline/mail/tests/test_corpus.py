"""The shared corpus of real mail (../shared/corpora/email/, never copied into the repository).

Every file parses without an exception; robots (sisimai's bounces and auto-replies, flanker's
bounce/ and complaints/, mimekit's delivery and read receipts) are recognised; mimekit's TNEF
files yield the attachment names its own test lists expect (TnefTests.cs: every name in
<name>.list is an attachment of the extracted message; "body.rtf" is Outlook's RTF body and
"body.html" its HTML body).
"""

from __future__ import annotations

import email
import email.policy
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest

from helpline.mail.parse import ParsedMessage, parse
from helpline.mail.tests.reply_expectations import corpus_root

pytestmark = pytest.mark.pure

ROOT = corpus_root()
needs_corpus = pytest.mark.skipif(
    ROOT is None, reason="the shared email corpus (../shared/corpora/email) is not on this machine"
)
MBOXES = ("sisimai-set-of-emails/mailbox/mbox-0", "sisimai-set-of-emails/mailbox/mbox-1")
# sisimai's files that are not robots: its controls, and people forwarding a bounce ("Fwd:
# Returned mail", a Mail.app forward with "Begin forwarded message:"): a person sent those, and a
# merchant who forwards a bounce to support is asking for help.
SISIMAI_HUMAN = {
    "maildir/not/is-not-bounce-01.eml",
    "maildir/not/is-not-bounce-02.eml",
    "maildir/bsd/lhost-sendmail-14.eml",
}
SISIMAI_HUMAN_IN_MBOX = {"sisimai-set-of-emails/mailbox/mbox-0#35"}  # "Fwd: Returned mail"
SISIMAI_NOT_MESSAGES = {"mailbox/size-0", "mailbox/size-1", "mailbox/size-2"}  # 0-2 bytes

MIMEKIT_ROBOTS = {
    "bounce.txt": "bounce",
    "delivery-status.txt": "bounce",
    "delivery-status2.txt": "bounce",
    "delivery-status-multiple-blank-lines.txt": "bounce",
    "delivery-status-no-blank-line.txt": "bounce",
    "delivery-status.anonymized.eml": "bounce",
    "disposition-notification.txt": "receipt",
    "disposition-notification.anonymized.eml": "receipt",
    "feedback-report.txt": "complaint",
}

# MimeKit's TnefTests.cs runs these; the names are the corpus's own <name>.list files, written
# out here so that a changed corpus cannot silently weaken the test.
TNEF_EXPECTED = {
    "body": ["body.html"],
    "data-before-name": ["AUTOEXEC.BAT", "CONFIG.SYS", "boot.ini", "body.rtf"],
    "garbage-at-end": [],
    "long-filename": ["body.rtf"],
    "MAPI_ATTACH_DATA_OBJ": [
        "VIA_Nytt_1402.doc",
        "VIA_Nytt_1402.pdf",
        "VIA_Nytt_14021.htm",
        "body.rtf",
    ],
    "MAPI_OBJECT": ["Untitled_Attachment", "body.rtf"],
    "missing-filenames": ["body.rtf"],
    "multi-name-property": [],
    "one-file": ["AUTHORS"],
    "rtf": ["body.rtf"],
    "triples": ["body.rtf"],
    "two-files": ["AUTHORS", "README"],
    "winmail": ["Untitled Attachment", "Untitled Attachment"],
    # In the corpus with a .list, not (yet) in TnefTests.cs: held to the same rule.
    "attachments": ["bookmark.htm", "zappa_av1.jpg", "body.rtf"],
    "christmas": [
        "kitten-playing-with-a-christmas-tree.jpg",
        *["Untitled Attachment"] * 4,
        "body.rtf",
    ],
    "multi-value-attribute": ["208225__5_seconds__Voice_Mail.mp3", "body.rtf"],
    "panic": ["image001.jpg", "image002.jpg", "image003.png", "body.html"],
    "unicode-mapi-attr": ["example.dat"],
    "unicode-mapi-attr-name": ["spaconsole2.cfg", "image001.png", "image002.png", "image003.png"],
}


def corpus_files() -> list[Path]:
    if ROOT is None:
        return []
    return sorted(
        p for p in ROOT.rglob("*") if p.is_file() and p.name not in ("LICENSE", "README.md")
    )


def mbox_messages(relative: str) -> list[bytes]:
    assert ROOT is not None
    return [m.as_bytes() for m in mailbox.mbox(str(ROOT / relative), create=False)]


@needs_corpus
def test_every_file_in_the_corpus_parses():
    assert ROOT is not None
    files = corpus_files()
    assert len(files) > 900
    failures = []
    for path in files:
        try:
            msg = parse(path.read_bytes())
        except Exception as exc:  # the assertion below names every one
            failures.append(f"{path.relative_to(ROOT)}: {exc!r}")
            continue
        assert isinstance(msg, ParsedMessage)
    assert failures == []


@needs_corpus
def test_every_message_of_the_mbox_files_parses():
    for relative in (*MBOXES, "mimekit/mbox/simple.mbox.txt", "mimekit/mbox/jwz-summary.txt"):
        for raw in mbox_messages(relative):
            parse(raw)


@needs_corpus
def test_sisimai_bounces_and_auto_replies_are_robots():
    assert ROOT is not None
    base = ROOT / "sisimai-set-of-emails"
    missed = []
    count = 0
    for path in sorted(p for p in base.rglob("*") if p.is_file() and p.name != "LICENSE"):
        relative = str(path.relative_to(base))
        if (
            relative in SISIMAI_HUMAN
            or relative in SISIMAI_NOT_MESSAGES
            or relative.startswith("mailbox/mbox")
        ):
            continue
        count += 1
        if parse(path.read_bytes()).auto is None:
            missed.append(relative)
    for relative in MBOXES:
        for index, raw in enumerate(mbox_messages(relative)):
            count += 1
            key = f"{relative}#{index}"
            if parse(raw).auto is None and key not in SISIMAI_HUMAN_IN_MBOX:
                missed.append(key)
    assert count > 600
    assert missed == []


@needs_corpus
def test_sisimai_controls_are_people():
    assert ROOT is not None
    base = ROOT / "sisimai-set-of-emails"
    for relative in sorted(SISIMAI_HUMAN):
        assert parse((base / relative).read_bytes()).auto is None, relative
    # In sisimai's "not" folder for a parser bug of its own, but a postmaster's
    # Auto-Submitted bounce all the same: a robot for us.
    assert parse((base / "maildir/not/rb-issue-368-bug.eml").read_bytes()).auto == "bounce"


@needs_corpus
@pytest.mark.parametrize("folder", ["bounce", "complaints"])
def test_flanker_bounces_and_complaints_are_robots(folder):
    assert ROOT is not None
    paths = sorted((ROOT / "flanker" / folder).glob("*"))
    assert paths
    expected = "bounce" if folder == "bounce" else "complaint"
    assert {p.name: parse(p.read_bytes()).auto for p in paths} == {p.name: expected for p in paths}


@needs_corpus
def test_mimekit_receipts_and_reports_are_robots():
    assert ROOT is not None
    got = {
        name: parse((ROOT / "mimekit/messages" / name).read_bytes()).auto for name in MIMEKIT_ROBOTS
    }
    assert got == MIMEKIT_ROBOTS


def wrap_tnef(data: bytes) -> bytes:
    """The .tnef file as Outlook sends it: a winmail.dat part of a multipart message."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = "outlook@example.com"
    msg["Subject"] = "winmail"
    msg.set_content("see attachment")
    msg.add_attachment(data, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    return msg.as_bytes()


@needs_corpus
@pytest.mark.parametrize("name", sorted(TNEF_EXPECTED))
def test_mimekit_tnef_files_yield_the_expected_attachments(name):
    assert ROOT is not None
    listed = (ROOT / "mimekit/tnef" / f"{name}.list").read_text().split("\n")
    assert sorted(n for n in listed if n) == sorted(TNEF_EXPECTED[name])  # the corpus's own list
    msg = parse(wrap_tnef((ROOT / "mimekit/tnef" / f"{name}.tnef").read_bytes()))
    names = [a.filename for a in msg.attachments if a.source == "tnef"]
    for expected in TNEF_EXPECTED[name]:
        if expected == "body.html":
            assert msg.html, "the TNEF's HTML body"
        else:
            assert expected in names
    assert "winmail.dat" not in [a.filename for a in msg.attachments]  # it was unpacked
    for attachment in msg.attachments:
        if attachment.source != "tnef":
            continue
        extracted = ROOT / "mimekit/tnef" / name / attachment.filename
        # The corpus holds some of the files (text ones with LF endings). The OLE .doc in
        # MAPI_ATTACH_DATA_OBJ is the check that tnefparse's stripped trailing NULs are restored.
        if extracted.is_file():
            assert unix(attachment.data) == unix(extracted.read_bytes()), attachment.filename


def unix(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


@needs_corpus
def test_mimekit_tnef_messages():
    assert ROOT is not None
    ukr = parse((ROOT / "mimekit/tnef/ukr.eml").read_bytes())
    # MimeKit's TestExtractedCharset expects "ЫПУФЙК": the same KOI8-R bytes read as
    # windows-1251. The HTML declares koi8-r, and the word is Ukrainian "шостий" ("sixth").
    assert ukr.html is not None and "<p>шостий</p>" in ukr.html
    rich = parse((ROOT / "mimekit/tnef/rich-text.eml").read_bytes())
    assert any(a.source == "tnef" for a in rich.attachments)


@needs_corpus
def test_django_helpdesk_messages_have_readable_bodies():
    assert ROOT is not None
    for path in sorted((ROOT / "django-helpdesk").glob("*.eml")):
        msg = parse(path.read_bytes())
        assert msg.text.strip() or msg.attachments, path.name
        assert msg.auto is None, path.name
        assert "\ufffd" not in msg.subject, path.name
