"""Request limits at the door, and the API's JSON error format for every 4xx.

``RateLimitMiddleware`` counts each request against the limits of ``helpline.core.limits``: on
``/api/`` per client address and per token (or per signed-in person), on the pages per client
address; over a limit the answer is 429 with ``Retry-After`` — on the API as
``{"detail", "code": "rate_limited", "retry_after"}``. Static files are not counted.

``SecureCookiesMiddleware`` marks cookies Secure on a request that came over HTTPS.

``BodyLimitMiddleware`` refuses, from ``Content-Length`` and before anything parses the body
(the CSRF check reads the form), a body over ``ANONYMOUS_MAX_BODY_BYTES`` from a caller who is
not signed in and shows no credentials: 413 (JSON under ``/api/``). ``helpline serve``'s front
door (``core.door``) refuses the same from the headers alone; this one knows the session.

``ApiErrorsMiddleware`` turns any 4xx under ``/api/`` that is not JSON already (an unknown path,
a refused CSRF token, Django's own 400) into ``{"detail": …, "code": …}``.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from helpline.core import limits

API_PREFIX = "/api/"
# The API's description is the same for everybody and costs nothing to serve: not counted.
UNCOUNTED = ("/api/v1/openapi.json", "/api/v1/docs")


def client_address(request: HttpRequest | None) -> str:
    # REMOTE_ADDR only: a proxy must set it (X-Forwarded-For is the client's to forge).
    return (request.META.get("REMOTE_ADDR") or "unknown") if request else "unknown"


def error_response(status: int, detail: str, code: str, **extra: object) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code, **extra}, status=status)


def too_many(verdict: limits.Verdict, limit: limits.Limit, *, api: bool) -> HttpResponse:
    detail = f"too many requests ({limit}); try again in {verdict.retry_after} s"
    response: HttpResponse
    if api:
        response = error_response(429, detail, "rate_limited", retry_after=verdict.retry_after)
    else:
        response = HttpResponse(detail, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _callers(request: HttpRequest) -> list[tuple[limits.Limit, str]]:
    address = client_address(request)
    if not request.path.startswith(API_PREFIX):
        return [(limits.WEB_ADDRESS, address)]
    callers = [(limits.API_ADDRESS, address)]
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        callers.append((limits.API_TOKEN, "token:" + header[7:].strip()))
    elif request.user.is_authenticated:
        callers.append((limits.API_TOKEN, f"user:{request.user.pk}"))
    return callers


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith((self.static, *UNCOUNTED)):
            callers = _callers(request)
            for (limit, _who), verdict in zip(callers, limits.hit_many(callers), strict=True):
                if not verdict.allowed:
                    return too_many(verdict, limit, api=request.path.startswith(API_PREFIX))
        return self.get_response(request)


class ApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and 400 <= response.status_code < 500
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = HTTPStatus(response.status_code)
            code = status.phrase.lower().replace(" ", "_").replace("-", "_")
            converted = error_response(status.value, status.phrase.lower(), code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    converted[header] = response[header]
            return converted
        return response


class SecureCookiesMiddleware:
    """A response to a request that came over HTTPS sets its cookies Secure, whatever the
    settings say (they make them Secure always when the site is configured as HTTPS)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


class BodyLimitMiddleware:
    """After ``AuthenticationMiddleware``: ``request.user`` is known, the body not read yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cap = settings.ANONYMOUS_MAX_BODY_BYTES
        if _content_length(request) > cap and not _may_send_more(request):
            return too_large(cap, api=request.path.startswith(API_PREFIX))
        return self.get_response(request)


def too_large(cap: int, *, api: bool) -> HttpResponse:
    detail = f"request body too large (at most {cap} bytes)"
    if api:
        return error_response(413, detail, "too_large")
    return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _may_send_more(request: HttpRequest) -> bool:
    # A token or the inbound-mail secret is checked by the endpoint before it reads the body.
    return bool(
        request.user.is_authenticated
        or request.META.get("HTTP_AUTHORIZATION")
        or request.META.get("HTTP_X_HELPLINE_INBOUND_SECRET")
    )
