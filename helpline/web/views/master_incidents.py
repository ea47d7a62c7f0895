"""Master incidents from the console: link a ticket to a master or unlink it, post to or
resolve a master and its linked tickets, merge a duplicate into this ticket."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from helpline.core.errors import HelplineError
from helpline.tickets import incidents
from helpline.web.common import refused, staff_required, ticket_or_404, user_of

INCIDENT_OPS = ("link", "unlink", "update", "resolve", "merge")


def _ticket_number(raw: str) -> int | None:
    raw = raw.strip().upper().removeprefix("HL-")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


@staff_required
@require_POST
def incident_action(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Console: link to / unlink from a master, update or resolve a master, merge a duplicate."""
    user = user_of(request)
    ticket = ticket_or_404(request, ticket_id)
    op = request.POST.get("op", "")
    other_id = _ticket_number(request.POST.get("other", ""))
    text = request.POST.get("text", "")
    if op not in INCIDENT_OPS or (op in ("link", "merge") and other_id is None):
        messages.error(request, "Name a ticket (HL-123) and an action.")
        return redirect("web:console-ticket", ticket_id=ticket.pk)
    try:
        if op == "link":
            master = ticket_or_404(request, other_id or 0)
            incidents.ticket_link(actor=user, ticket=ticket, master=master)
        elif op == "unlink":
            incidents.ticket_unlink(actor=user, ticket=ticket)
        elif op == "update":
            n = incidents.master_update(actor=user, master=ticket, body=text)
            messages.success(request, f"Posted here and on {n} linked ticket(s).")
        elif op == "resolve":
            n = incidents.master_resolve(actor=user, master=ticket, message=text)
            messages.success(request, f"Resolved with {n} linked ticket(s).")
        else:
            duplicate = ticket_or_404(request, other_id or 0)
            incidents.tickets_merge(actor=user, survivor=ticket, duplicates=[duplicate])
            messages.success(request, f"{duplicate.reference} merged into {ticket.reference}.")
    except HelplineError as exc:
        if (response := refused(request, exc)) is not None:
            return response
    return redirect("web:console-ticket", ticket_id=ticket.pk)
