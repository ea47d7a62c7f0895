"""The outbox in the admin: read-only rows; dead letters can be sent again (an action)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from helpline.core.admin import HTTPS_URLS, ReadOnlyAdmin, ZonedTimesAdmin, public_https_url
from helpline.outbox import services
from helpline.outbox.models import Outbox, Preference, WebhookEndpoint, WhatsAppInbound


@admin.register(Outbox)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "channel",
        "kind",
        "recipient",
        "state",
        "attempts",
        "due_at",
        "done_at",
        "last_error",
    ]
    list_filter = ["state", "channel", "kind"]
    search_fields = ["recipient", "idempotency_key"]
    actions = ["retry"]
    readonly_fields = [f.name for f in Outbox._meta.fields]

    @admin.action(description="Send the selected dead letters again")
    def retry(self, request: HttpRequest, queryset: QuerySet[Outbox]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        n = services.outbox_retry(ids=ids)
        self.message_user(request, f"{n} dead letter(s) will be sent again.")


class WebhookEndpointForm(forms.ModelForm):
    """Only a public HTTPS endpoint (what delivery will reach); events a list of names, empty
    (or left blank) for all of them."""

    url = forms.URLField(max_length=500, assume_scheme="https", validators=[public_https_url])

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "secret", "events", "internal", "active"]

    def clean_events(self) -> list[str]:
        events = self.cleaned_data.get("events")
        if events in (None, "", {}):
            return []
        if not isinstance(events, list) or not all(
            isinstance(e, str) and e.strip() for e in events
        ):
            raise forms.ValidationError('a list of event kinds, such as ["sla_breached"]')
        return [e.strip() for e in events]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ZonedTimesAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "active", "internal", "created_at"]
    readonly_fields = ["created_at"]
    formfield_overrides = HTTPS_URLS

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if obj.created_at is None:
            from helpline.core import clock

            obj.created_at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(Preference)
class PreferenceAdmin(ZonedTimesAdmin):
    list_display = ["user", "email", "whatsapp", "quiet_start", "quiet_end", "digest"]
    list_select_related = ["user"]


@admin.register(WhatsAppInbound)
class WhatsAppInboundAdmin(ZonedTimesAdmin):
    """What customers sent on WhatsApp and what became of it (read-only: Meta's record)."""

    list_display = ["received_at", "phone", "kind", "outcome", "reason", "ticket"]
    list_filter = ["outcome", "kind"]
    search_fields = ["phone", "message_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
