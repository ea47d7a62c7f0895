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


def mail_context(user: User, ticket: Any) -> dict[str, Any]:
    """What a ticket page shows of mail: the sender and sanitised HTML of each received mail,
    and the attachments by message (key 0: those that came with the ticket itself)."""
    from helpline.mail import selectors as mail_selectors
    from helpline.tickets.attachments import ticket_attachments

    files: dict[int, list[Any]] = {}
    for row in ticket_attachments(user=user, ticket=ticket):
        files.setdefault(row.message_id or 0, []).append(row)
    return {"mail": mail_selectors.ticket_mail(user=user, ticket=ticket), "files": files}


def uploads_of(request: HttpRequest) -> list[Any]:
    """The files of a multipart form (field ``files``), read no further than the size limit
    (what is larger is refused by the service, unread)."""
    from django.conf import settings

    from helpline.tickets.attachments import Upload

    limit = settings.ATTACHMENT_MAX_BYTES
    for f in request.FILES.getlist("files"):
        f.seek(0)  # read again when a refused form keeps them (web.drafts)
    return [
        Upload(
            filename=f.name or "",
            content_type=f.content_type or "",
            data=f.read(limit + 1),
        )
        for f in request.FILES.getlist("files")
    ]


def say_refused_files(request: HttpRequest, made: Any) -> None:
    refused_files = getattr(made, "refused_files", [])
    if refused_files:
        names = "; ".join(f"{r.filename} ({r.reason})" for r in refused_files)
        messages.warning(request, f"Not attached: {names}.")
