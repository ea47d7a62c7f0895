"""What every app's admin shares."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from helpline.core import http


def public_url(value: str, *, https: bool = False) -> None:
    """Refuse, when it is typed, a URL the outbound guard would refuse when it is used."""
    reason = http.url_refusal(
        value,
        allow_private=bool(getattr(settings, "HELPLINE_HTTP_ALLOW_PRIVATE", False)),
        https=https,
    )
    if reason:
        raise ValidationError(reason, code="url_refused")


def public_https_url(value: str) -> None:
    public_url(value, https=True)


# An address typed without a scheme ("shop.example") is read as https, the default Django 6.0
# takes; every URL the admin edits (stores, webhooks) is a public site or endpoint.
HTTPS_URLS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https", "validators": [public_url]}
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
