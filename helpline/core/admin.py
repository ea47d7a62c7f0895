"""What every app's admin shares."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from helpline.core import clock, display, http
from helpline.core.models import Heartbeat


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


def _when_column(name: str, label: str) -> Any:
    """A changelist column writing the instant ``name`` as ``core.display`` does, in the
    admin's zone (the one activated for the request), sortable by the field."""

    def column(obj: Any) -> str:
        return display.when(getattr(obj, name), timezone.get_current_timezone())

    column.short_description = label  # type: ignore[attr-defined]
    column.admin_order_field = name  # type: ignore[attr-defined]
    column.__name__ = name
    return column


class ZonedTimesAdmin(admin.ModelAdmin):
    """Times in the admin are typed and shown in the admin's own zone (activated for every
    request by the web's ``ReaderZoneMiddleware``), and say so: every date-and-time input is
    labelled with the zone, the list writes instants as people read them ("Tue 8 Dec 2026,
    02:00 IST"), and each form and list names the zone at the top."""

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(db_field, models.DateTimeField):
            zone = timezone.get_current_timezone_name()
            field.label = f"{field.label} ({zone})"
            field.help_text = f"In {zone}, your time zone (set it on your console profile)."
        return field

    def get_list_display(self, request: HttpRequest) -> Any:
        shown: list[Any] = []
        for name in super().get_list_display(request):
            try:
                field = self.model._meta.get_field(name) if isinstance(name, str) else None
            except FieldDoesNotExist:
                field = None
            if isinstance(name, str) and isinstance(field, models.DateTimeField):
                shown.append(_when_column(name, str(field.verbose_name)))
            else:
                shown.append(name)
        return shown

    def _say_zone(self, request: HttpRequest) -> None:
        if request.method == "GET":
            zone = timezone.get_current_timezone_name()
            messages.info(request, f"Times on this page are in {zone}.")

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        self._say_zone(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: Any = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> Any:
        self._say_zone(request)
        return super().changeform_view(request, object_id, form_url, extra_context)


class ReadOnlyAdmin(ZonedTimesAdmin):
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


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    """The worker's heartbeat (and the daily jobs' last run): when, where, how long ago, in
    the admin's zone."""

    list_display = ["name", "beat_at", "seen", "host", "pid"]
    readonly_fields = ["name", "last_beat", "seen", "host", "pid"]
    exclude = ["beat_at"]

    @admin.display(description="last beat", ordering="beat_at")
    def last_beat(self, obj: Heartbeat) -> str:
        return display.when(obj.beat_at, timezone.get_current_timezone())

    @admin.display(description="seen")
    def seen(self, obj: Heartbeat) -> str:
        return display.relative(obj.beat_at, clock.now())
