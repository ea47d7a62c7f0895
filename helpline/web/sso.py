"""Sign-in through allauth: nobody signs up, single sign-on only for existing staff.

People are created by admins (or provisioning), never by signing up. An OpenID Connect sign-in
(``HELPLINE_OIDC_*``) is linked to the existing staff member whose e-mail address the provider
says it has verified (allauth's e-mail authentication); an address that matches nobody, a
merchant user or a deactivated account is refused with a page that says so, and nothing is
created (decision 0177).
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest
from django.shortcuts import render

from helpline.accounts import services as accounts
from helpline.accounts.models import Role, User


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class SocialAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        """Runs after allauth looked the account up (by the provider's id, then by a verified
        e-mail address): only an active staff member gets through."""
        user = sociallogin.user
        if (
            sociallogin.is_existing
            and isinstance(user, User)
            and user.is_active
            and user.role != Role.MERCHANT
        ):
            accounts.sso_address_vouch(user=user)
            return
        emails = [e.email for e in sociallogin.email_addresses if e.verified]
        raise ImmediateHttpResponse(
            render(
                request,
                "web/auth/sso_refused.html",
                {"emails": emails, "provider": sociallogin.account.get_provider().name},
                status=403,
            )
        )
