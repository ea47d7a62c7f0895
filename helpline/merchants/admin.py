from django.contrib import admin

from helpline.merchants.models import Merchant, Store


class StoreInline(admin.TabularInline):
    model = Store
    extra = 0
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
