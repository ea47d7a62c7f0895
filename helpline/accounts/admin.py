from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm

from helpline.accounts import services
from helpline.accounts.models import ApiToken, Team, User
from helpline.core.admin import ZonedTimesAdmin, clean_zone


class UserForm(UserChangeForm):
    """A person's zone (their shifts, leave and every time they read) is an IANA name."""

    def clean_time_zone(self) -> str:
        return clean_zone(self.cleaned_data.get("time_zone"), blank=True)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "merchant", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "phone", "whatsapp", "time_zone")}),
        ("Role", {"fields": ("role", "merchant", "is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "role", "merchant", "password1", "password2"),
            },
        ),
    )


@admin.register(Team)
class TeamAdmin(ZonedTimesAdmin):
    list_display = ["name", "lead", "partner"]
    filter_horizontal = ["members"]


@admin.register(ApiToken)
class ApiTokenAdmin(ZonedTimesAdmin):
    list_display = [
        "prefix",
        "user",
        "name",
        "read_only",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["user", "prefix", "digest", "read_only", "created_at", "last_used_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # tokens are created by the CLI or the API, shown once


# allauth's session list, with what an admin needs: search by e-mail (its own searches a
# username, which Helpline's users have not) and ending sessions through the service.
admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(ZonedTimesAdmin):
    list_display = ["user", "created_at", "last_seen_at", "ip", "user_agent"]
    list_select_related = ["user"]
    search_fields = ["user__email", "ip"]
    readonly_fields = ["user", "created_at", "last_seen_at", "ip", "user_agent", "session_key"]
    exclude = ["data"]
    actions = ["end_sessions"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # sessions begin by signing in

    @admin.action(description="End the selected sessions (signs those browsers out)")
    def end_sessions(self, request, queryset):  # type: ignore[no-untyped-def]
        chosen: dict[int, list[int]] = {}
        people: dict[int, User] = {}
        for s in queryset.select_related("user"):  # each person read with their sessions
            chosen.setdefault(s.user_id, []).append(s.pk)
            people[s.user_id] = s.user
        ended = 0
        for user_id in sorted(chosen):
            ended += services.sessions_end(
                user=people[user_id], by=request.user, session_ids=chosen[user_id]
            )
        self.message_user(request, f"{ended} session(s) ended.")
