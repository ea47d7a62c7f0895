"""The console's people panel: my status (available / away), who is on call now, and — for
admins — the on-call rota's gaps in the next 7 days. Loaded into the console's home by htmx
(``/console/people/``), a page of its own without it; the status is set by a POST."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from helpline.accounts import access
from helpline.accounts.selectors import zone_for
from helpline.core import clock
from helpline.core.errors import HelplineError
from helpline.routing import selectors as routing
from helpline.routing import services
from helpline.web.common import refused, staff_required, user_of


def panel_context(request: HttpRequest) -> dict[str, Any]:
    user = user_of(request)
    now = clock.now()
    return {
        "tz": zone_for(user),
        "profile": routing.profile_of(user) if access.is_staff(user) else None,
        "on_call": routing.on_call_at(now),
        "gaps": routing.on_call_gaps(now=now) if access.is_admin(user) else None,
    }


@staff_required
def panel(request: HttpRequest) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/console/_people.html", panel_context(request))
    return render(request, "web/console/people.html", panel_context(request))


@staff_required
@require_POST
def status_set(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    try:
        services.agent_status_set(
            actor=user, user=user, status=request.POST.get("status", ""), now=clock.now()
        )
    except HelplineError as exc:
        response = refused(request, exc)
        if response is not None:
            return response
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/console/_people.html", panel_context(request))
    return redirect("web:console")
