"""Two-factor for staff, when the installation requires it (``HELPLINE_STAFF_2FA=required``,
decision 0176).

A staff member (any role but merchant) signed in without a second factor — an authenticator
app or a passkey — reaches only the pages that add one, and signing out; every other page
sends them there, and the session-authenticated API answers 403 in the JSON error format. API
tokens are not touched: they are issued by admins and need no interactive second factor. Users
who have a factor are asked for it at every sign-in by allauth's flow, whatever this setting.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from helpline.accounts import selectors
from helpline.accounts.models import Role, User
from helpline.core.middleware import error_response

# Where a staff member without a second factor may still go: adding one, signing out, the
# static files those pages load, the page that says why.
OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/accounts/reauthenticate/")


def needs_second_factor(user: object) -> bool:
    """A signed-in staff member with no second factor, under ``required``."""
    return (
        settings.STAFF_2FA == "required"
        and isinstance(user, User)
        and user.role != Role.MERCHANT
        and not selectors.has_second_factor(user)
    )


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.STAFF_2FA == "required" and request.user.is_authenticated:
            refused = self._refused(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refused(self, request: HttpRequest) -> HttpResponse | None:
        if request.path.startswith(OPEN_PREFIXES):
            return None
        # One indexed EXISTS per request of a signed-in person, only under "required".
        if not needs_second_factor(request.user):
            return None
        detail = "staff accounts need two-factor authentication: add one at /accounts/2fa/"
        if request.path.startswith("/api/"):
            return error_response(403, detail, "two_factor_required")
        messages.warning(
            request,
            "Your role needs two-factor authentication. Add an authenticator app or a passkey "
            "to continue.",
        )
        return redirect("mfa_index")
