"""Where each role lands after signing in and at "/", and the admin's desk health page.

Merchants land on their tickets, agents on their own queue, account managers on their stores
(with a to-do list built from what is waiting on them), engineers on the developer tickets,
admins on the health of the desk: the outbox, the worker, the on-call rota, today's breaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from helpline import health
from helpline.accounts import access
from helpline.accounts.models import Role
from helpline.accounts.selectors import zone_for
from helpline.core import clock, display
from helpline.outbox import selectors as outbox_selectors
from helpline.routing import selectors as routing
from helpline.tickets import selectors as ticket_selectors
from helpline.web.common import staff_required, user_of

LANDING: dict[str, str] = {
    Role.MERCHANT: "/support/",
    Role.AGENT: "/console/?q=mine",
    Role.ACCOUNT_MANAGER: "/console/am/",
    Role.ENGINEER: "/console/dev/",
    Role.ADMIN: "/console/desk/",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role to its own page (anyone else to the console)."""
    return redirect(LANDING.get(user_of(request).role, "/console/"))


# ---------------------------------------------------------------- the admin's desk health


@dataclass(frozen=True)
class Vital:
    name: str
    ok: bool
    value: str
    detail: str


def _vitals(now: datetime, zone: Any) -> list[Vital]:
    queue = outbox_selectors.queue_figures(now=now)
    late = timedelta(seconds=queue.oldest_due_seconds)
    worker = health.worker(now)
    gaps = routing.on_call_gaps(now=now)
    midnight = now.astimezone(display.zone_of(zone)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    breaches = ticket_selectors.tickets_breached_since(midnight)
    outbox_detail = (
        f"the oldest has waited {display.duration(late)} past its time"
        if late > timedelta(minutes=1)
        else "nothing is late"
    )
    if queue.dead_letters:
        outbox_detail += f"; {queue.dead_letters} could not be delivered (see the admin)"
    first_gap = display.when(gaps[0].starts_at, zone) if gaps else ""
    return [
        Vital(
            "Outbox",
            late <= timedelta(minutes=5) and not queue.dead_letters,
            f"{queue.depth} waiting",
            outbox_detail,
        ),
        Vital("Worker", worker.ok, "running" if worker.ok else "not running", worker.detail),
        Vital(
            "On-call rota",
            not gaps,
            f"{len(gaps)} gap{'s' if len(gaps) != 1 else ''} in 7 days" if gaps else "covered",
            f"the first at {first_gap}: add shifts in the admin"
            if gaps
            else "every hour outside business hours has someone on call",
        ),
        Vital(
            "Breaches today",
            breaches == 0,
            f"{breaches} ticket{'s' if breaches != 1 else ''}",
            "since midnight, in your time zone",
        ),
    ]


@staff_required
def desk(request: HttpRequest) -> HttpResponse:
    """The admin's landing page: is the desk healthy right now?"""
    user = user_of(request)
    if not access.is_admin(user):
        raise Http404("not found")
    now, zone = clock.now(), zone_for(user)
    return render(
        request,
        "web/console/desk.html",
        {"vitals": _vitals(now, zone), "tz": zone, "now": now},
    )
