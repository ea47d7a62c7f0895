"""The operator's endpoints, answered before any other middleware runs (first in
``MIDDLEWARE``): no session, no rate limit, no host check, no user — a load balancer and
Prometheus reach them by address, as often as they like.

- ``GET /healthz``: the process answers (no database): 200 ``{"status": "alive"}``.
- ``GET /readyz``: the database answers and is migrated, storage takes a write
  (``health.ready``): 200 ``{"status": "ready", …}``, else 503 with the failing checks named.
- ``GET /metrics``: Prometheus' text format (``helpline.metrics``) for a bearer of
  ``HELPLINE_METRICS_TOKEN``; 404 while no token is set (never public), 401 without the token.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from helpline import health, metrics
from helpline.core import clock

PATHS = ("/healthz", "/readyz", "/metrics")


class OpsEndpointsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path.rstrip("/")
        if path not in PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"detail": "use GET"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        if path == "/healthz":
            return _no_store(JsonResponse({"status": "alive"}))
        if path == "/readyz":
            return _ready()
        return _metrics(request)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _ready() -> HttpResponse:
    checks = health.ready()
    ok = all(c.ok for c in checks)
    body = {
        "status": "ready" if ok else "not ready",
        "checks": {c.name: c.ok for c in checks},
    }
    return _no_store(JsonResponse(body, status=200 if ok else 503))


def _metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponse("Not Found\n", status=404, content_type="text/plain")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = HttpResponse(
            "a bearer token is required\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = metrics.exposition(now=clock.now())
    return _no_store(HttpResponse(body, content_type=metrics.CONTENT_TYPE))
