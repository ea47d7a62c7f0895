"""Attachment downloads: only for people who may see the ticket (else 404), always as a
download (never rendered by the browser: Content-Disposition attachment, nosniff)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from helpline.core.errors import NotFound
from helpline.tickets import attachments
from helpline.web.common import user_of


@login_required
def download(request: HttpRequest, attachment_id: int) -> FileResponse:
    try:
        row = attachments.attachment_get(user=user_of(request), attachment_id=attachment_id)
    except NotFound:
        raise Http404("not found") from None
    try:
        handle = row.file.open("rb")
    except OSError:
        raise Http404("the file is missing from storage") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=row.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
