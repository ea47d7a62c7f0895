"""The admin's personal-data page: find a person, download everything about them as one zip
(audited, like every export). Erasure is ``helpline personal-data erase`` (it cannot be undone:
a command typed on purpose, not a click in a list)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from helpline.core.admin import ReadOnlyAdmin
from helpline.privacy import services
from helpline.privacy.models import Person


@admin.action(description="Export personal data (one zip)")
def export_zip(
    modeladmin: PersonAdmin, request: HttpRequest, queryset: QuerySet[Person]
) -> HttpResponse | None:
    people = list(queryset[:2])
    if len(people) != 1:
        modeladmin.message_user(request, "Choose one person to export.", messages.WARNING)
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = services.personal_data_export(
            person=str(people[0].pk), dest=Path(folder), actor=request.user
        )
        response = HttpResponse(path.read_bytes(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{path.name}"'
    return response


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("email", "first_name", "last_name", "role", "is_active")
    search_fields = ("email", "first_name", "last_name", "phone")
    list_filter = ("role", "is_active")
    actions = (export_zip,)
    fields = ("email", "first_name", "last_name", "role", "phone", "whatsapp")
    readonly_fields = fields
