"""Tickets in the admin: read-only. Every change goes through the services (API, console)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from helpline.core.admin import ReadOnlyAdmin
from helpline.tickets.models import Ticket, TicketClock, TicketEvent, TicketMessage


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClockInline(ReadOnlyInline):
    model = TicketClock
    fields = ["kind", "priority", "calendar", "started_at", "deadline", "met_at", "breached_at"]


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "kind", "actor", "before", "after", "reason", "public"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["id", "subject", "store", "priority", "status", "created_at", "due_at"]
    list_filter = ["status", "priority"]
    search_fields = ["subject"]
    list_select_related = ["store"]
    inlines = [ClockInline, EventInline]


@admin.register(TicketMessage)
class MessageAdmin(TicketAdmin):
    list_display = ["id", "ticket", "kind", "internal", "from_staff", "created_at"]
    list_filter = ["kind", "internal"]
    search_fields = ["body"]
    list_select_related = ["ticket"]
    inlines = []
