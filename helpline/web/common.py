"""What every web view shares: who is signed in, role checks, domain errors as pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseForbidden
from django.shortcuts import redirect

from helpline.accounts import access
from helpline.accounts.models import Role, User
from helpline.core.errors import Forbidden, HelplineError, NotFound
from helpline.tickets import selectors

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def public(view: View) -> View:
    """Marks a view that answers without a sign-in, on purpose (a test checks that every
    other page redirects to the sign-in)."""
    view.helpline_public = True  # type: ignore[attr-defined]
    return view


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran first
    return user


def is_merchant(user: User) -> bool:
    return user.role == Role.MERCHANT


def merchant_required(view: View) -> View:
    """Signed in as a merchant user; staff are sent to the console."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_merchant(user_of(request)):
            return redirect("web:console")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def staff_required(view: View) -> View:
    """Signed in as anyone who sees internal notes (staff, engineers); merchants get 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not access.sees_internal(user_of(request)):
            raise Http404("not found")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def refused(request: HttpRequest, exc: HelplineError) -> HttpResponse | None:
    """404 and 403 become those pages; anything else is a message on the page it came from
    (the caller redirects back). Returns the response to send, or None to go on."""
    if isinstance(exc, NotFound):
        raise Http404(exc.detail)
    if isinstance(exc, Forbidden):
        return HttpResponseForbidden(exc.detail)
    messages.error(request, exc.detail)
    return None


def ticket_or_404(request: HttpRequest, ticket_id: int) -> Any:
    """The ticket through the access-scoped selector; anything else is a 404 page."""
    try:
        return selectors.ticket_get(user=user_of(request), ticket_id=ticket_id)
    except HelplineError as exc:
        refused(request, exc)  # raises Http404
        raise
