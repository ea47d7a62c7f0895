"""Teams' issue types, agents' profiles, shifts and leave in the admin. Every form checks what
the API checks (``routing.validation``): skills are issue types of the current policy,
languages known codes, shifts whole minutes that do not overlap, leave that ends after it
starts. Shifts and leave are their own pages (they belong to the person, not the profile),
filtered by agent; the profile page links to them (decision 0116)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from helpline.core.errors import HelplineError
from helpline.routing import selectors, validation
from helpline.routing.models import AgentProfile, Leave, Shift, TeamRoute


def _checked(check: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return check(*args, **kwargs)
    except HelplineError as exc:
        raise forms.ValidationError(exc.detail) from None


def _codes(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(c) for c in raw]
    return [c.strip() for c in str(raw or "").split(",") if c.strip()]


class TeamRouteForm(forms.ModelForm):
    class Meta:
        model = TeamRoute
        fields = ["team", "issue_type"]

    def clean_issue_type(self) -> str:
        code = (self.cleaned_data.get("issue_type") or "").strip()
        if code:
            _checked(validation.skills, [code], field="issue_type")
        return code


@admin.register(TeamRoute)
class TeamRouteAdmin(admin.ModelAdmin):
    form = TeamRouteForm
    list_display = ["issue_type_or_default", "team"]
    list_select_related = ["team"]

    @admin.display(description="issue type", ordering="issue_type")
    def issue_type_or_default(self, obj: TeamRoute) -> str:
        return obj.issue_type or "(default team: every other issue type)"


class AgentProfileForm(forms.ModelForm):
    skills = forms.CharField(
        required=False,
        help_text="Issue type codes, comma-separated (e.g. store-down, functionality)",
    )
    languages = forms.CharField(
        required=False, help_text="Language codes, comma-separated (e.g. en, hi, ta)"
    )

    class Meta:
        model = AgentProfile
        fields = ["user", "skills", "languages", "capacity", "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["skills"] = ", ".join(self.instance.skills or [])
            self.initial["languages"] = ", ".join(self.instance.languages or [])

    def clean_skills(self) -> list[str]:
        return list(_checked(validation.skills, _codes(self.cleaned_data.get("skills"))))

    def clean_languages(self) -> list[str]:
        return list(_checked(validation.languages, _codes(self.cleaned_data.get("languages"))))


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    form = AgentProfileForm
    list_display = ["user", "status", "capacity", "skill_list", "language_list", "time"]
    list_filter = ["status"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    raw_id_fields = ["user"]

    @admin.display(description="skills")
    def skill_list(self, obj: AgentProfile) -> str:
        return ", ".join(obj.skills or [])

    @admin.display(description="languages")
    def language_list(self, obj: AgentProfile) -> str:
        return ", ".join(obj.languages or [])

    @admin.display(description="shifts and leave")
    def time(self, obj: AgentProfile) -> str:
        shifts = reverse("admin:routing_shift_changelist")
        leave = reverse("admin:routing_leave_changelist")
        return format_html(
            '<a href="{}?user__id__exact={}">shifts</a> · '
            '<a href="{}?user__id__exact={}">leave</a>',
            shifts,
            obj.user_id,
            leave,
            obj.user_id,
        )


class ShiftForm(forms.ModelForm):
    class Meta:
        model = Shift
        fields = ["user", "weekday", "start", "end"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user, weekday = data.get("user"), data.get("weekday")
        start, end = data.get("start"), data.get("end")
        if user is None or weekday is None or start is None or end is None:
            return data
        others = [s for s in selectors.shifts_of(user) if s.pk != self.instance.pk]
        specs = [
            *(
                validation.ShiftSpec(s.weekday, s.start, s.end, label=f"the {s} shift")
                for s in others
            ),
            validation.ShiftSpec(int(weekday), start, end, label="this shift"),
        ]
        _checked(validation.week, specs)
        return data


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    form = ShiftForm
    list_display = ["user", "weekday", "start", "end"]
    list_filter = ["weekday", ("user", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


class LeaveForm(forms.ModelForm):
    class Meta:
        model = Leave
        fields = ["user", "starts_on", "ends_on", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user, starts_on, ends_on = data.get("user"), data.get("starts_on"), data.get("ends_on")
        if user is None or starts_on is None or ends_on is None:
            return data
        _checked(validation.leave_span, starts_on, ends_on)
        clash = selectors.overlapping_leave(user, starts_on, ends_on)
        if clash is not None and clash.pk != self.instance.pk:
            raise forms.ValidationError(
                f"overlaps the leave {clash.starts_on} to {clash.ends_on}; change that one"
            )
        return data


@admin.register(Leave)
class LeaveAdmin(admin.ModelAdmin):
    form = LeaveForm
    list_display = ["user", "starts_on", "ends_on", "note"]
    list_filter = [("user", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "starts_on"
