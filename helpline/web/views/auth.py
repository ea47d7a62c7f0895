"""Sign-in, sign-out, password reset (Django's auth views), failed sign-ins slowed down.

Failed sign-ins are counted three ways: per (e-mail, address) pair with a doubling lock
(``web.throttle``, decision 0005), and per address and per account in fixed windows
(``core.limits``: spraying many accounts from one address, or one account from many, is slowed
too; decision 0126). A refused sign-in answers 429 with Retry-After.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from allauth.account.utils import perform_login
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from helpline.core import display, limits
from helpline.core.middleware import client_address, too_many
from helpline.web import throttle
from helpline.web.common import public
from helpline.web.forms import OutboxPasswordResetForm, RevokingSetPasswordForm


def _refused(wait: timedelta) -> forms.ValidationError:
    return forms.ValidationError(
        "Too many failed sign-ins. Try again in %(wait)s, or reset your password.",
        code="throttled",
        params={"wait": display.duration(wait), "seconds": int(wait.total_seconds()) or 1},
    )


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses while the (e-mail, address) pair is locked; counts each failure. A field left
    empty says which (the page shows it beside the field)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your e-mail address."
        self.fields["password"].error_messages["required"] = "Enter your password."

    def clean(self) -> dict[str, Any]:
        email = (self.data.get("username") or "").strip().lower()
        address = client_address(self.request)
        key = throttle.throttle_key(email, address)
        wait = throttle.locked_for(key)
        if wait is not None:
            raise _refused(wait)
        counted = ((limits.LOGIN_ADDRESS, address), (limits.LOGIN_ACCOUNT, email))
        for limit, who in counted:
            verdict = limits.peek(limit, who)
            if not verdict.allowed:
                raise _refused(timedelta(seconds=verdict.retry_after))
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(key)
            for limit, who in counted:
                limits.hit(limit, who)
            raise
        if self.get_user() is not None:  # not when a field was missing: that proves nothing
            throttle.record_success(key)
        return cleaned


def admin_sign_in(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's sign-in is the one sign-in page (throttle, second factor and single sign-on
    alike): a second page would be a way round them."""
    target = request.GET.get("next") or "/admin/"
    return redirect(f"{reverse('web:login')}?{urlencode({'next': target})}")


class SignInView(auth_views.LoginView):
    """The one sign-in page. The password (and the throttle) is checked here; the sign-in is
    then handed to allauth's flow, which asks for the second factor of an account that has one
    (authenticator app, passkey or recovery code) before the session is signed in."""

    form_class = ThrottledAuthenticationForm
    template_name = "web/auth/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        # allauth's public door into its sign-in flow: its stages (the second factor) run, then
        # the session is signed in and recorded (decision 0175).
        response: HttpResponse = perform_login(
            self.request, form.get_user(), redirect_url=self.get_success_url()
        )
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_name"] = settings.OIDC_NAME if settings.OIDC_ISSUER else ""
        return context

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        refused = [e for e in form.non_field_errors().as_data() if e.code == "throttled"]
        if refused:
            response.status_code = 429
            response["Retry-After"] = str((refused[0].params or {}).get("seconds", 1))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """At most ``limits.RESET_ADDRESS`` requests from one address (429 beyond)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        verdict = limits.hit(limits.RESET_ADDRESS, client_address(request))
        if not verdict.allowed:
            return too_many(verdict, limits.RESET_ADDRESS, api=False)
        return super().post(request, *args, **kwargs)


sign_in = public(SignInView.as_view())
sign_out = auth_views.LogoutView.as_view()
password_reset = public(
    PasswordResetView.as_view(
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
        form_class=RevokingSetPasswordForm,
        template_name="web/auth/password_reset_confirm.html",
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="web/auth/password_reset_complete.html"
    )
)
