"""The audit trail in the admin: browse (filters by action, table, date; search by who, object,
address), read one entry, export the chosen entries or a filtered list as CSV. Nothing can be
added, changed or deleted here."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from helpline.audit import chain, export
from helpline.audit.models import AuditEntry
from helpline.core import display
from helpline.core.admin import ReadOnlyAdmin


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
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "when", "actor_label", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_label", "object_id", "ip", "=actor_id", "=subject_id")
    # Every field, "at" shown as "when" (in the reader's zone).
    readonly_fields = ("when", *(f for f in chain.FIELDS if f != "at"))
    exclude = ("at",)
    actions = (export_csv,)
    list_per_page = 100
    show_full_result_count = False  # a count over a million rows on every page is slow

    @admin.display(description="when", ordering="at")
    def when(self, entry: AuditEntry) -> str:
        return display.when(entry.at, display.here())
