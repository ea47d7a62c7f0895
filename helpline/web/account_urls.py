"""allauth's pages that Helpline uses, under /accounts/ (decision 0175), without a namespace:
allauth reverses its own names.

Helpline's sign-in, sign-out and password reset stay the ones in ``web.urls`` (throttled,
limited, links from HELPLINE_BASE_URL); allauth's names for them point there. allauth's own
password reset, e-mail management and sign-up are not mounted: people are created by admins
and their address is the one an admin gave.
"""

from allauth.account import views as account_views
from django.urls import include, path
from django.views.generic import RedirectView

from helpline.web.views import auth

urlpatterns = [
    path("login/", auth.sign_in, name="account_login"),
    path("logout/", auth.sign_out, name="account_logout"),
    path(
        "password/reset/",
        RedirectView.as_view(pattern_name="web:password_reset"),
        name="account_reset_password",
    ),
    path("signup/", account_views.signup, name="account_signup"),  # closed: "sign up is closed"
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("2fa/", include("allauth.mfa.urls")),
    path("sessions/", include("allauth.usersessions.urls")),
    path("3rdparty/", include("allauth.socialaccount.urls")),
    path("", include("allauth.socialaccount.providers.openid_connect.urls")),
]
