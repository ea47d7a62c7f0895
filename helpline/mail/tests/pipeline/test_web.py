"""Mail on the ticket pages: sanitised HTML, attachments listed and downloaded only by people
who may see the ticket, always as downloads; uploads on the support center's forms."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape

from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail
from helpline.tickets.models import Attachment, Ticket, TicketMessage

pytestmark = pytest.mark.django_db
OPEN = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
HOSTILE = (
    '<p style="color:red" onclick="window.__xss=1">Hello <b>team</b></p>'
    "<script>window.__xss=1</script>"
    '<img src="https://tracker.test/pixel.gif" alt="logo" onerror="window.__xss=1">'
    '<a href="javascript:window.__xss=1">click</a><svg onload="window.__xss=1"></svg>'
)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mail_ticket(cast) -> Ticket:
    raw = mail(
        body="Hello team",
        html=HOSTILE,
        attachments=[
            ('"><img src=x onerror=alert(1)>.html', "text/html", b"<script>alert(1)</script>")
        ],
    )
    mail_ingest(raw, source="cli", now=OPEN)
    return Ticket.objects.get()


def test_console_and_support_show_sanitised_html_and_attachments(cast, mail_ticket):
    attachment = Attachment.objects.get()
    for user, path in (
        (cast.ravi, f"/console/t/{mail_ticket.pk}/"),
        (cast.alice, f"/support/t/{mail_ticket.pk}/"),
    ):
        page = client_for(user).get(path).content.decode()
        assert "Hello <b>team</b>" in page
        assert "By mail from alice@acme.test" in page
        bad_bits = (
            "<script>window",
            'onclick="',
            'onerror="',
            "javascript:",
            "tracker.test",
            "<svg",
        )
        for bad in bad_bits:
            assert bad not in page, (path, bad)
        assert "[image: logo]" in page
        assert f'href="/attachments/{attachment.pk}/" download' in page
        assert escape(attachment.filename) in page and "<img src=x" not in page


def test_download_only_for_those_who_see_the_ticket_and_always_as_a_download(cast, mail_ticket):
    url = f"/attachments/{Attachment.objects.get().pk}/"
    for user in (cast.alice, cast.ravi, cast.ada):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/octet-stream"
        assert response.getvalue() == b"<script>alert(1)</script>"
    for user in (cast.bob, cast.eric):  # another merchant; an engineer not linked to it
        assert client_for(user).get(url).status_code == 404
    assert client_for(cast.ravi).get("/attachments/999999/").status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in


def test_support_center_uploads_on_new_ticket_and_reply(cast, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    alice = client_for(cast.alice)
    response = alice.post(
        "/support/new/",
        {
            "store": cast.acme_shoes.pk,
            "issue_type": "functionality",
            "priority": "C3",
            "subject": "Banner broken",
            "description": "See the screenshot.",
            "files": [
                SimpleUploadedFile("shot.png", b"\x89PNG" + b"0" * 100, "image/png"),
                SimpleUploadedFile("huge.zip", b"0" * 5000, "application/zip"),
            ],
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert [a.filename for a in Attachment.objects.filter(ticket=ticket)] == ["shot.png"]
    assert "Not attached: huge.zip (larger than" in response.content.decode()
    alice.post(
        f"/support/t/{ticket.pk}/reply/",
        {"body": "And the log.", "files": [SimpleUploadedFile("app.log", b"line\n", "text/plain")]},
    )
    message = TicketMessage.objects.get(ticket=ticket)
    assert [a.filename for a in Attachment.objects.filter(message=message)] == ["app.log"]
    page = client_for(cast.ravi).get(f"/console/t/{ticket.pk}/").content.decode()
    assert "shot.png" in page and "app.log" in page
