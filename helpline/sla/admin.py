"""The policy in the admin. Every save publishes a new policy version (when something changed).

Holidays are edited in the admin registered by ``tickets.admin``: a holiday moves open tickets'
deadlines, which is the ticket services' work, and sla imports nothing above it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from helpline.core.admin import ReadOnlyAdmin, ZonedTimesAdmin
from helpline.core.errors import HelplineError
from helpline.sla import services
from helpline.sla.models import (
    Calendar,
    CalendarInterval,
    EscalationStep,
    IssueType,
    Override,
    PolicyVersion,
    Priority,
    Target,
    length_words,
)


class PublishingAdmin(ZonedTimesAdmin):
    """After the object and its inlines are saved, publish a policy version."""

    def _publish(self, request: HttpRequest, what: str) -> None:
        try:
            version = services.policy_publish(actor_id=request.user.pk, note=what)
        except HelplineError as exc:
            self.message_user(
                request, f"Saved, but not published: {exc.detail}", level=messages.ERROR
            )
            return
        self.message_user(request, f"Policy version {version.number} is in force.")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        self._publish(request, f"{self.model._meta.verbose_name} {form.instance} saved")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        self._publish(request, f"{self.model._meta.verbose_name} {obj} deleted")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        self._publish(request, f"{self.model._meta.verbose_name_plural} deleted")


class IntervalInline(admin.TabularInline):
    model = CalendarInterval
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(PublishingAdmin):
    list_display = ["name", "slug", "zone", "always_open", "country", "subdivision"]
    inlines = [IntervalInline]
    readonly_fields = ["holidays_revision"]


class EscalationInline(admin.TabularInline):
    """The priority's escalation chain: at a percent of a pending target (100: the breach),
    whom to tell."""

    model = EscalationStep
    extra = 0


@admin.register(Priority)
class PriorityAdmin(PublishingAdmin):
    list_display = ["code", "name", "rank"]
    inlines = [EscalationInline]


@admin.register(Target)
class TargetAdmin(PublishingAdmin):
    list_display = ["priority", "kind", "length", "calendar", "goal"]

    @admin.display(description="target", ordering="minutes")
    def length(self, target: Target) -> str:
        return length_words(target.minutes)

    @admin.display(description="goal", ordering="goal_minutes")
    def goal(self, target: Target) -> str:
        return length_words(target.goal_minutes) if target.goal_minutes else "—"


class OverrideInline(admin.TabularInline):
    model = Override
    extra = 0


@admin.register(IssueType)
class IssueTypeAdmin(PublishingAdmin):
    list_display = ["slug", "name", "default_priority", "active", "position"]
    inlines = [OverrideInline]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ["number", "created_at", "created_by", "note"]
    readonly_fields = ["number", "created_at", "created_by", "note", "digest", "snapshot"]
