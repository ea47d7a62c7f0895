"""Tickets in the admin: read-only. Every change goes through the services (API, console).

Also the SLA calendars' holidays: a holiday edit moves open tickets' deadlines (``holidays``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from helpline.core.admin import ReadOnlyAdmin, ZonedTimesAdmin
from helpline.sla import selectors as sla_selectors
from helpline.sla.models import Holiday
from helpline.tickets.holidays import holiday_add, holiday_remove
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


@admin.register(Holiday)
class HolidayAdmin(ZonedTimesAdmin):
    """An SLA calendar's holidays: adding, moving or removing one goes through the ticket
    services so that open tickets' deadlines follow (registered here: sla sits below tickets)."""

    list_display = ["date", "name", "calendar", "added_by_admin"]
    list_filter = ["calendar", "added_by_admin"]
    date_hierarchy = "date"
    fields = ["calendar", "date", "name"]

    def save_model(self, request: HttpRequest, obj: Holiday, form: Any, change: bool) -> None:
        if change and "date" in form.changed_data:
            holiday_remove(calendar=obj.calendar, day=form.initial["date"])
        moved = holiday_add(calendar=obj.calendar, day=obj.date, name=obj.name)
        saved = sla_selectors.holiday_on(calendar=obj.calendar, day=obj.date)
        obj.pk = saved.pk
        self.message_user(request, f"Holiday saved; deadlines moved on {moved} open ticket(s).")

    def delete_model(self, request: HttpRequest, obj: Holiday) -> None:
        moved = holiday_remove(calendar=obj.calendar, day=obj.date)
        self.message_user(request, f"Holiday removed; deadlines moved on {moved} open ticket(s).")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Holiday]) -> None:
        for obj in list(queryset.select_related("calendar")):
            self.delete_model(request, obj)
