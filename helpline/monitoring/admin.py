"""Monitors, maintenance windows and platform incidents in the admin. Creating goes through the
services (a maintenance window is announced to the merchants when it is saved)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from helpline.core import clock
from helpline.core.admin import ZonedTimesAdmin
from helpline.core.errors import HelplineError
from helpline.monitoring import services, status_changes
from helpline.monitoring.models import MaintenanceWindow, Monitor, PlatformIncident

CONFIG = ["store", *services.MONITOR_FIELDS]


class MonitorForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = Monitor
        fields = CONFIG

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.monitor_check({k: v for k, v in data.items() if k != "store"})
        except HelplineError as exc:
            raise forms.ValidationError(exc.detail) from None
        return data


@admin.register(Monitor)
class MonitorAdmin(ZonedTimesAdmin):
    form = MonitorForm
    list_display = ["url", "store", "state", "active", "interval_seconds", "last_probe_at"]
    list_filter = ["state", "active"]
    search_fields = ["url", "store__name"]
    raw_id_fields = ["store"]
    fields = [*CONFIG, "state", "last_probe_at", "next_probe_at", "last_error", "tls_expires_at"]
    readonly_fields = ["state", "last_probe_at", "next_probe_at", "last_error", "tls_expires_at"]

    def save_model(self, request: HttpRequest, obj: Monitor, form: Any, change: bool) -> None:
        data = {k: form.cleaned_data[k] for k in CONFIG if k in form.cleaned_data}
        if change:
            data.pop("store", None)
            saved = services.monitor_update(monitor=obj, **data)
        else:
            data.pop("active", None)
            saved = services.monitor_create(**data)
        obj.pk = saved.pk


class MaintenanceForm(forms.ModelForm):
    class Meta:
        model = MaintenanceWindow
        fields = ["title", "description", "starts_at", "ends_at", "stores"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if self.instance.pk is None and start and end:
            if end <= start:
                raise forms.ValidationError("maintenance must end after it starts")
            if start <= clock.now():
                raise forms.ValidationError("maintenance is announced in advance: start later")
        return data


@admin.register(MaintenanceWindow)
class MaintenanceAdmin(ZonedTimesAdmin):
    form = MaintenanceForm
    list_display = ["title", "starts_at", "ends_at", "announced_at"]
    filter_horizontal = ["stores"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Announced windows keep their times (the merchants were told them).
        return ["starts_at", "ends_at", "stores", "announced_at"] if obj else ["announced_at"]

    def save_model(
        self, request: HttpRequest, obj: MaintenanceWindow, form: Any, change: bool
    ) -> None:
        if change:
            obj.save(update_fields=["title", "description"])
            return
        data = form.cleaned_data
        window = services.maintenance_create(
            title=data["title"],
            description=data.get("description", ""),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            stores=list(data.get("stores") or []),
        )
        obj.pk, obj.announced_at, obj.created_at = window.pk, window.announced_at, window.created_at


@admin.register(PlatformIncident)
class IncidentAdmin(ZonedTimesAdmin):
    list_display = ["title", "started_at", "resolved_at", "automatic", "linked"]
    list_filter = ["automatic"]
    fields = [
        "title",
        "description",
        "started_at",
        "resolved_at",
        "automatic",
        "paged_at",
        "linked",
    ]
    readonly_fields = ["started_at", "resolved_at", "automatic", "paged_at", "linked"]
    actions = ["resolve"]

    @admin.display(description="linked tickets")
    def linked(self, obj: PlatformIncident) -> int:
        return obj.links.count() if obj.pk else 0

    def save_model(
        self, request: HttpRequest, obj: PlatformIncident, form: Any, change: bool
    ) -> None:
        if change:
            obj.save(update_fields=["title"])
            if "description" in form.changed_data:
                if obj.resolved_at is None and obj.description.strip():
                    # An update of an open incident: its subscribers hear it (decision 0227).
                    status_changes.incident_update(incident=obj, update=obj.description)
                else:
                    obj.save(update_fields=["description"])
            return
        made = services.incident_open(title=obj.title, description=obj.description)
        obj.pk, obj.started_at = made.pk, made.started_at

    @admin.action(description="Mark the selected incidents resolved")
    def resolve(self, request: HttpRequest, queryset: QuerySet[PlatformIncident]) -> None:
        done = sum(services.incident_resolve(incident=i) for i in queryset)
        messages.info(request, f"{done} incident(s) resolved")
