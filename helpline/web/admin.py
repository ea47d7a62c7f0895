from django.contrib import admin

from helpline.core.admin import ZonedTimesAdmin
from helpline.web.models import CannedReply, SavedView
from helpline.web.views.auth import admin_sign_in

admin.site.site_header = "Helpline administration"
admin.site.site_title = "Helpline admin"
admin.site.index_title = "Configuration: policy, calendars, people, merchants"
admin.site.login = admin_sign_in  # type: ignore[method-assign]


@admin.register(CannedReply)
class CannedReplyAdmin(ZonedTimesAdmin):
    list_display = ("title", "active")
    list_filter = ("active",)
    search_fields = ("title", "body")


@admin.register(SavedView)
class SavedViewAdmin(ZonedTimesAdmin):
    list_display = ("name", "user", "query")
    search_fields = ("name", "user__email")
