"""Request latency for Prometheus: one histogram, labelled by route name (never the URL: one
series per route, however many tickets there are), method and status class.

Under ``helpline serve`` gunicorn runs several processes; ``serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a directory of its own before gunicorn starts, so that every
process writes its samples there and a scrape answered by any of them sums them all
(prometheus_client's multiprocess mode; decision 0161). Without it (tests, a single process)
the histogram lives in this process's ``REGISTRY``. ``exposition()`` is what ``/metrics`` shows
of it, either way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
REGISTRY = CollectorRegistry(auto_describe=True)
# Seconds: a page answers in milliseconds; the tail up to a minute (gunicorn's timeout is 30 s).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
REQUEST_SECONDS = Histogram(
    "helpline_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name (the URL pattern's name), method and status "
    "class",
    ["route", "method", "status"],
    buckets=BUCKETS,
    registry=REGISTRY,
)
UNMATCHED = "(unmatched)"  # no route: a 404 from the resolver, or a middleware that answered


def route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or match.route or UNMATCHED


class RequestLatencyMiddleware:
    """Times each request from here (near the top of the stack) to its response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(
            route=route_name(request),
            method=request.method if request.method in KNOWN_METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def exposition() -> bytes:
    """The request histogram in Prometheus' text format: every gunicorn process's samples in
    multiprocess mode, this process's otherwise."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry, path=directory)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
