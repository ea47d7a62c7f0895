from django import forms
from django.contrib import admin

from helpline.core.admin import HTTPS_URLS, ZonedTimesAdmin
from helpline.core.zones import known_zone
from helpline.merchants.models import Contact, Merchant, Store


class MerchantForm(forms.ModelForm):
    """The merchant's zone is where every time they read is shown: an IANA name, checked as
    the API checks it (``merchants.services``), never stored as typed."""

    class Meta:
        model = Merchant
        fields = ["name", "slug", "time_zone", "created_at"]

    def clean_time_zone(self) -> str:
        name = (self.cleaned_data.get("time_zone") or "").strip()
        if known_zone(name) is None:
            raise forms.ValidationError(
                f"{name!r} is not a time zone name; use an IANA name such as Asia/Kolkata "
                "or Europe/London"
            )
        return name


class StoreInline(admin.TabularInline):
    model = Store
    extra = 0
    formfield_overrides = HTTPS_URLS
    fields = ["name", "url", "account_manager", "created_at"]
    # Assigned on the store's console page or through the API, where the subscription follows
    # (account_management.support): never edited here, where it would not.
    readonly_fields = ["account_manager"]


@admin.register(Merchant)
class MerchantAdmin(ZonedTimesAdmin):
    form = MerchantForm
    list_display = ["name", "slug", "time_zone"]
    search_fields = ["name", "slug"]
    inlines = [StoreInline]


@admin.register(Store)
class StoreAdmin(ZonedTimesAdmin):
    list_display = ["name", "merchant", "url", "account_manager"]
    list_filter = ["merchant"]
    search_fields = ["name", "url"]
    formfield_overrides = HTTPS_URLS
    readonly_fields = ["account_manager"]  # the console or the API assigns (see StoreInline)


@admin.register(Contact)
class ContactAdmin(ZonedTimesAdmin):
    """Extra addresses whose mail goes to a merchant (its users are contacts already)."""

    list_display = ["email", "name", "merchant", "default_store"]
    list_filter = ["merchant"]
    search_fields = ["email", "name"]
    autocomplete_fields = ["default_store"]
