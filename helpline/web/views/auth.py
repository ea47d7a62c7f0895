"""Sign-in, sign-out, password reset (Django's auth views), failed sign-ins slowed down."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from helpline.core import display
from helpline.web import throttle
from helpline.web.common import is_merchant, public, user_of
from helpline.web.forms import OutboxPasswordResetForm


def client_address(request: HttpRequest | None) -> str:
    # REMOTE_ADDR only: a proxy must set it (X-Forwarded-For is the client's to forge).
    return (request.META.get("REMOTE_ADDR") or "unknown") if request else "unknown"


class Throttled(AuthenticationForm):
    """Refuses while the (e-mail, address) pair is locked; counts each failure."""

    def clean(self) -> dict[str, Any]:
        email = (self.data.get("username") or "").strip().lower()
        key = throttle.throttle_key(email, client_address(self.request))
        wait = throttle.locked_for(key)
        if wait is not None:
            raise forms.ValidationError(
                "Too many failed sign-ins. Try again in %(wait)s, or reset your password.",
                code="throttled",
                params={"wait": display.duration(wait)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(key)
            raise
        if self.get_user() is not None:  # not when a field was missing: that proves nothing
            throttle.record_success(key)
        return cleaned


class ThrottledAuthenticationForm(Throttled):
    """The sign-in of the support center and the console."""


class ThrottledAdminAuthenticationForm(Throttled, AdminAuthenticationForm):
    """The admin's own sign-in page counts failures in the same throttle (it would otherwise
    be a way round it)."""


class SignInView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "web/auth/login.html"
    redirect_authenticated_user = True


sign_in = public(SignInView.as_view())
sign_out = auth_views.LogoutView.as_view()
password_reset = public(
    auth_views.PasswordResetView.as_view(
        success_url="/accounts/password-reset/sent/",
        form_class=OutboxPasswordResetForm,
        template_name="web/auth/password_reset_form.html",
        email_template_name="web/auth/password_reset_email.txt",
        subject_template_name="web/auth/password_reset_subject.txt",
    )
)
# Our templates live under web/auth/, named explicitly: under registration/ the admin's own
# password-reset templates (an earlier app) were shown instead.
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="web/auth/password_reset_done.html")
)
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        success_url="/accounts/reset/done/",
        template_name="web/auth/password_reset_confirm.html",
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="web/auth/password_reset_complete.html"
    )
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Merchants to their support center, everyone else to the console."""
    return redirect("web:support" if is_merchant(user_of(request)) else "web:console")
