"""Programs and scripts are refused as attachments (HELPLINE_REFUSED_UPLOAD_TYPES, issue 22):
each refused file is named with the reason, the message and the other files are kept."""

from __future__ import annotations

import pytest

from helpline.core.config import ConfigError, extensions
from helpline.tickets.attachments import Upload
from helpline.tickets.models import Attachment

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def test_programs_are_refused_by_name_and_by_content_and_the_rest_is_kept(cast) -> None:
    files = [
        Upload("setup.EXE", "application/octet-stream", b"MZ\x90\x00program"),
        Upload("invoice.pdf.js", "text/javascript", b"alert(1)"),
        Upload("screenshot.pdf", "application/pdf", b"MZ renamed program"),
        Upload("screen.png", "image/png", PNG),
    ]
    ticket = cast.ticket(subject="Checkout broken", files=files)
    assert ticket.description == "Product images 404"
    assert [a.filename for a in Attachment.objects.filter(ticket=ticket)] == ["screen.png"]
    reasons = {r.filename: r.reason for r in ticket.refused_files}
    advice = "programs and scripts are not accepted, send a screenshot or a zip"
    assert reasons == {
        "setup.EXE": f"a .exe file: {advice}",
        "invoice.pdf.js": f"a .js file: {advice}",
        "screenshot.pdf": "a Windows program: programs and scripts are not accepted",
    }


def test_the_refused_types_are_a_setting(cast, settings) -> None:
    settings.ATTACHMENT_REFUSED_TYPES = frozenset()
    ticket = cast.ticket(files=[Upload("tool.exe", "application/octet-stream", b"MZ\x90")])
    assert ticket.refused_files == []
    assert Attachment.objects.filter(ticket=ticket).count() == 1


def test_the_setting_is_read_strictly() -> None:
    name = "HELPLINE_REFUSED_UPLOAD_TYPES"
    assert extensions({}, name, "exe bat") == {"exe", "bat"}
    assert extensions({name: ".EXE, .Msi"}, name, "exe") == {"exe", "msi"}
    assert extensions({name: "none"}, name, "exe") == frozenset()
    with pytest.raises(ConfigError, match="'e/x' is not a file name extension"):
        extensions({name: "e/x"}, name, "exe")
