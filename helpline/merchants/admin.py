from django.contrib import admin

from helpline.core.admin import HTTPS_URLS
from helpline.merchants.models import Contact, Merchant, Store


class StoreInline(admin.TabularInline):
    model = Store
    extra = 0
    formfield_overrides = HTTPS_URLS
    fields = ["name", "url", "account_manager", "created_at"]


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone"]
    search_fields = ["name", "slug"]
    inlines = [StoreInline]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "merchant", "url", "account_manager"]
    list_filter = ["merchant"]
    search_fields = ["name", "url"]
    formfield_overrides = HTTPS_URLS


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Extra addresses whose mail goes to a merchant (its users are contacts already)."""

    list_display = ["email", "name", "merchant", "default_store"]
    list_filter = ["merchant"]
    search_fields = ["email", "name"]
    autocomplete_fields = ["default_store"]
