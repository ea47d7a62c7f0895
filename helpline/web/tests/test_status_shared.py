"""The public status page says it may be shared (decision 0191) only when nobody is signed in:
the front door keeps that copy for anonymous readers; a signed-in reader's page is private."""

from __future__ import annotations

from typing import Any

from django.test import Client


def test_the_status_page_is_shared_only_when_nobody_is_signed_in(signed_in: Any) -> None:
    anonymous = Client().get("/status/")
    assert anonymous.status_code == 200
    assert "public" in anonymous["Cache-Control"]
    assert "max-age=5" in anonymous["Cache-Control"]
    assert not anonymous.cookies  # nothing personal: a shared copy may be kept
    mine = signed_in("alice").get("/status/")
    assert mine.status_code == 200
    assert "private" in mine["Cache-Control"]
    assert "public" not in mine["Cache-Control"]
