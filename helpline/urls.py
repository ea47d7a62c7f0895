from django.contrib import admin
from django.urls import include, path

from helpline.api.v1 import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("helpline.web.urls")),
    path("accounts/", include("helpline.web.account_urls")),
]

# The error pages in the site's frame, with a way back (helpline.web.views.errors).
handler400 = "helpline.web.views.errors.bad_request"
handler403 = "helpline.web.views.errors.forbidden"
handler404 = "helpline.web.views.errors.not_found"
handler500 = "helpline.web.views.errors.server_error"
