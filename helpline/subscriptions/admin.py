"""Status subscriptions in the admin: read and delete only (people subscribe themselves, by the
status page or the signed link; decision 0226)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from helpline.core.admin import ZonedTimesAdmin
from helpline.subscriptions.models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ZonedTimesAdmin):
    list_display = ["address", "channel", "store", "confirmed_at", "bounces", "dropped_at"]
    list_filter = ["channel"]
    list_select_related = ["store"]
    search_fields = ["address"]
    readonly_fields = [f.name for f in Subscription._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
