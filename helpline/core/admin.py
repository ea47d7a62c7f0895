"""What every app's admin shares."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

# An address typed without a scheme ("shop.example") is read as https, the default Django 6.0
# takes; every URL the admin edits (stores, webhooks) is a public HTTPS site or endpoint.
HTTPS_URLS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record kept by the system (a log, a snapshot, an outbox row): shown, never edited in
    the admin; changes go through the services (admin actions may call them)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def clean_zone(raw: str | None, *, blank: bool = False) -> str:
    """A time zone typed in the admin: an IANA name, checked, never stored as typed (empty
    allowed when ``blank``: the installation's zone then applies)."""
    from django import forms

    from helpline.core.zones import known_zone

    name = (raw or "").strip()
    if blank and not name:
        return ""
    if known_zone(name) is None:
        raise forms.ValidationError(
            f"{name!r} is not a time zone name; use an IANA name such as Asia/Kolkata or "
            "Europe/London"
        )
    return name
