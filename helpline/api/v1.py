"""API v1: one NinjaAPI, one router per domain, errors as ``{"detail": …, "code": …}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny

from helpline.core.errors import HelplineError


class ObjectParser(Parser):
    """A JSON body must be an object: ``[]``, ``"x"`` or ``1`` is refused (400), never read as
    an empty body whose fields all take their defaults."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


api = NinjaAPI(
    title="Helpline API",
    version="1",
    description=(
        "The support desk of the e-commerce platform. Authenticate with "
        '`Authorization: Bearer <token>`. Errors are `{"detail": …, "code": …}`.'
    ),
    urls_namespace="api-v1",
    parser=ObjectParser(),
)


def error(request: HttpRequest, status: int, detail: Any, code: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


@api.exception_handler(HelplineError)
def _domain_error(request: HttpRequest, exc: HelplineError) -> HttpResponse:
    response = error(request, exc.status, exc.detail, exc.code, **exc.extra)
    if "retry_after" in exc.extra:  # a 503 (storage not answering): when to try again
        response["Retry-After"] = str(exc.extra["retry_after"])
    return response


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for item in exc.errors:
        loc = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body", "payload"))
        problems.append(f"{loc}: {item.get('msg', 'invalid')}" if loc else item.get("msg", ""))
    return error(
        request,
        422,
        "; ".join(problems) or "invalid input",
        "validation_error",
        errors=[{"loc": list(i.get("loc", ())), "msg": i.get("msg", "")} for i in exc.errors],
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(
        request,
        401,
        "authentication required: send Authorization: Bearer <token>",
        "unauthenticated",
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not found", "not_found")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error(request, 413, "the request body is too large", "too_large")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error(request, exc.status_code, str(exc), "http_error")


def _register_routers() -> None:
    from helpline.api import (
        account_management,
        billing,
        engineering,
        health,
        knowledge,
        master_incidents,
        monitoring,
        outbox,
        preferences,
        provisioning,
        reports,
        routing,
        search,
        sla,
        tickets,
        whatsapp,
    )
    from helpline.api import mail as mail_api

    api.add_router("/sla", sla.router)
    api.add_router("", outbox.router)
    api.add_router("", provisioning.router)
    api.add_router("", tickets.router)
    api.add_router("", mail_api.router)
    api.add_router("", monitoring.router)
    api.add_router("", engineering.router)
    api.add_router("", billing.router)
    api.add_router("", account_management.router)
    api.add_router("", search.router)
    api.add_router("", knowledge.router)
    api.add_router("", reports.router)
    api.add_router("", master_incidents.router)
    api.add_router("", preferences.router)
    api.add_router("", whatsapp.router)
    api.add_router("", routing.router)
    api.add_router("", health.router)


_register_routers()
