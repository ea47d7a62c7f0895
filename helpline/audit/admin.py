"""The audit trail in the admin: browse (filters by action, table, date; search by who, object,
address), read one entry, export the chosen entries or a filtered list as CSV. Nothing can be
added, changed or deleted here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from helpline.audit import export
from helpline.audit.models import AuditEntry
from helpline.core import display


@admin.action(description="Export the chosen entries as CSV")
def export_csv(
    modeladmin: AuditEntryAdmin, request: HttpRequest, queryset: QuerySet[AuditEntry]
) -> HttpResponse:
    response = HttpResponse(
        export.to_csv(queryset.order_by("seq"), display.here()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("seq", "when", "actor_label", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_label", "object_id", "ip", "=actor_id", "=subject_id")
    readonly_fields = (
        "seq",
        "when",
        "actor_id",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "subject_id",
        "ip",
        "user_agent",
        "before",
        "after",
        "prev_hash",
        "hash",
    )
    exclude = ("at",)
    actions = (export_csv,)
    list_per_page = 100
    show_full_result_count = False  # a count over a million rows on every page is slow

    @admin.display(description="when", ordering="at")
    def when(self, entry: AuditEntry) -> str:
        return display.when(entry.at, display.here())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
