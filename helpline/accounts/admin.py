from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm

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
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # tokens are created by the CLI or the API, shown once
