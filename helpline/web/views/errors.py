"""The error pages (400, 403, 404, 500, a refused CSRF token): the site's frame, what went
wrong in words, and a way back. Wired as Django's handlers in helpline/urls.py and as
CSRF_FAILURE_VIEW; what Django would show bare, a person sees inside the site."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template import loader

from helpline.web.common import public


def _page(request: HttpRequest | None, status: int, title: str, text: str) -> HttpResponse:
    context: dict[str, Any] = {"status": status, "title": title, "text": text}
    # A 500 renders without the request's context: no session or database read, which may be
    # what failed (the frame is then drawn for a visitor, with its way back).
    body = loader.get_template("web/error.html").render(context, request)
    return HttpResponse(body, status=status)


@public
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        text = (
            f"What you sent is longer than this site reads ({limit:.1f} MB of text). Nothing "
            "was saved. Go back: your browser still has what you typed; shorten it, or send "
            "the long part as an attachment."
        )
        return _page(request, 400, "Too long to read", text)
    return _page(request, 400, "That request could not be read", "Go back and try again.")


@public
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request, 403, "Not allowed", "Your account may not do this. Go back, or start again."
    )


@public
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        "Not found",
        "There is nothing here, or nothing you may see. Check the address, or search.",
    )


@public
def server_error(request: HttpRequest) -> HttpResponse:
    return _page(
        None,
        500,
        "Something went wrong on our side",
        "It has been recorded. Nothing you sent was lost by showing this page; try again in "
        "a moment.",
    )


@public
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        403,
        "This form had expired",
        "The page was open too long, or you signed in or out in another tab. Go back, reload "
        "the page and send it again.",
    )
