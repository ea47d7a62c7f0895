"""``attachments_copy`` (``helpline storage migrate``) between two directories: a file gone
from the source is reported by name and the others still move (the S3 side, with a real
server: ``tickets/tests/test_storage_s3.py``)."""

from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage

from helpline.tickets.attachments import Upload, attachments_copy
from helpline.tickets.models import Attachment

pytestmark = pytest.mark.django_db


def test_a_file_missing_at_the_source_is_reported_and_the_rest_copied(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cast.ticket(files=[Upload(f"f{i}.txt", "text/plain", f"file {i}\n".encode()) for i in (0, 1)])
    first, second = Attachment.objects.order_by("pk")
    source = FileSystemStorage(location=tmp_path / "media")
    dest = FileSystemStorage(location=tmp_path / "copy")
    source.delete(first.file.name)

    report = attachments_copy(source=source, dest=dest)

    assert (report.copied, report.already, report.missing, report.corrupt) == (
        1,
        0,
        [first.file.name],
        [],
    )
    assert not dest.exists(first.file.name)
    assert dest.open(second.file.name).read() == b"file 1\n"
