"""The on-call rota in the admin (the rows are the outbox app's data; who is on call now is
this app's question)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from helpline.core import clock
from helpline.core.admin import ZonedTimesAdmin, clean_zone
from helpline.outbox.models import OnCallOverride, OnCallShift
from helpline.routing import selectors as routing


class _RotaAdmin(ZonedTimesAdmin):
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        people = routing.on_call_at(clock.now())
        names = ", ".join(str(u) for u in people) or "nobody"
        self.message_user(request, f"On call now: {names}.")
        return super().changelist_view(request, extra_context)


class OnCallShiftForm(forms.ModelForm):
    class Meta:
        model = OnCallShift
        fields = ["user", "weekday", "start", "end", "zone"]

    def clean_zone(self) -> str:
        return clean_zone(self.cleaned_data.get("zone"))


@admin.register(OnCallShift)
class OnCallShiftAdmin(_RotaAdmin):
    form = OnCallShiftForm
    list_display = ["weekday", "start", "end", "user", "zone"]
    list_filter = ["weekday"]
    list_select_related = ["user"]


@admin.register(OnCallOverride)
class OnCallOverrideAdmin(_RotaAdmin):
    list_display = ["starts_at", "ends_at", "user", "note"]
    list_select_related = ["user"]
