"""The collision warning on the console's ticket page: htmx reports who is here and answers
who else is (helpline.web.presence)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from helpline.accounts.selectors import zone_for
from helpline.core import clock
from helpline.web import presence
from helpline.web.common import staff_required, ticket_or_404, user_of


@staff_required
@require_POST
def ticket_presence(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = user_of(request)
    ticket = ticket_or_404(request, ticket_id)
    now = clock.now()
    presence.presence_touch(
        user=user, ticket=ticket, replying=request.POST.get("state") == "replying", now=now
    )
    return render(
        request,
        "web/console/_presence.html",
        {
            "others": presence.presence_others(user=user, ticket=ticket, now=now),
            "tz": zone_for(user),
        },
    )
