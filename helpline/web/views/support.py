"""The merchant support center: my tickets, a new ticket, a ticket's page, help.

Each view validates, calls one service (or selector), renders. Every read goes through the
access-scoped selectors: another merchant's ticket is a 404, exactly as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from helpline.accounts.selectors import zone_for
from helpline.billing.models import Quote
from helpline.core import clock
from helpline.core.errors import HelplineError
from helpline.knowledge import selectors as knowledge
from helpline.merchants import selectors as merchant_selectors
from helpline.monitoring import selectors as monitoring_selectors
from helpline.reports import similar as reports_similar
from helpline.sla import preview as sla_preview
from helpline.sla import selectors as sla_selectors
from helpline.tickets import lifecycle, selectors, services
from helpline.tickets.models import MERCHANT_OPEN, Channel, Status
from helpline.web import drafts, timeline, transitions
from helpline.web.common import (
    mail_context,
    merchant_required,
    public,
    refused,
    say_refused_files,
    ticket_or_404,
    uploads_of,
    user_of,
)
from helpline.web.forms import CloseForm, NewTicketForm, ReasonForm, ReplyForm
from helpline.web.present import care_context, ticket_row

TABS = {
    "open": ("Open", list(MERCHANT_OPEN)),
    "waiting": ("Waiting on me", [Status.WAITING_ON_MERCHANT]),
    "resolved": ("Resolved", [Status.RESOLVED]),
    "closed": ("Closed", [Status.CLOSED]),
}
PAGE = 50
MERCHANT_SAID = {
    "close": "Ticket closed. Thank you.",
    "reopen": "Ticket reopened; we will look at it again.",
    "withdraw": "Ticket withdrawn.",
    "approve": "Quote approved.",
    "decline": "Quote declined.",
}


@merchant_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    tab = request.GET.get("tab", "open")
    if tab not in TABS:
        tab = "open"
    try:
        tickets, cursor = selectors.ticket_list(
            user=user,
            filters=selectors.TicketFilters(status=TABS[tab][1]),
            cursor=request.GET.get("after") or None,
            limit=PAGE,
        )
    except HelplineError as exc:
        refused(request, exc)
        return redirect("web:support")
    now = clock.now()
    return render(
        request,
        "web/support/home.html",
        {
            "tabs": [(key, label) for key, (label, _) in TABS.items()],
            "tab": tab,
            "rows": [ticket_row(t, now) for t in tickets],
            "cursor": cursor,
            "tz": zone_for(user),
        },
    )


def _preview(priority: str | None, issue_type: str | None, zone: Any) -> dict[str, Any] | None:
    try:
        return sla_preview.sla_preview(
            priority=priority, issue_type=issue_type, at=None, reader_zone=zone
        )
    except HelplineError:
        return None


def _already_reported(user: Any, data: dict[str, Any]) -> list[Any]:
    """Open tickets like the one being filed, for the C1 check."""
    text = f"{data['subject']}\n{data['description'][:500]}"
    found = reports_similar.similar_open_tickets(
        user=user, text=text, limit=5, store_id=data["store"], issue_type=data["issue_type"]
    )
    return [s.ticket for s in found]


def _file(request: HttpRequest, user: Any, data: dict[str, Any]) -> HttpResponse | None:
    """File the ticket with the files sent now and those held by the C1 step; the redirect
    to it, or None (the refusal is a message, the held files stay held)."""
    tokens = request.POST.getlist("held")
    try:
        ticket = drafts.ticket_create_with_held(
            actor=user,
            tokens=tokens,
            files=uploads_of(request),
            store=merchant_selectors.store_get(user=user, store_id=data["store"]),
            subject=data["subject"],
            description=data["description"],
            issue_type=data["issue_type"],
            priority=data["priority"],
            channel=Channel.PORTAL,
        )
    except HelplineError as exc:
        return refused(request, exc)
    say_refused_files(request, ticket)
    messages.success(request, f"{ticket.reference} sent. We will answer here and by mail.")
    return redirect("web:support-ticket", ticket_id=ticket.pk)


@merchant_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    policy = sla_selectors.current_policy()
    stores = list(merchant_selectors.visible_stores(user).order_by("name"))
    form = NewTicketForm(request.POST or None, stores=stores, policy=policy)
    similar: list[Any] = []
    incidents = monitoring_selectors.open_incidents()  # platform incidents: shown before a C1
    hold = False
    held = drafts.held_uploads(user=user, tokens=request.POST.getlist("held"))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if data["priority"] == "C1" and not data["confirmed"]:
                # "Before submitting a C1 issue, check to see if the issue has already been
                # reported": shown once; sending again confirms.
                similar = _already_reported(user, data)
                hold = bool(similar or incidents)
            if not hold and (response := _file(request, user, data)) is not None:
                return response
            form.data = request.POST.copy()
            form.data["confirmed"] = "on"
        # Answered again (the C1 step, a form error, a refusal): the files chosen are kept
        # with those held before (a browser cannot be given them back).
        kept, not_kept = drafts.uploads_hold(user=user, files=uploads_of(request), now=clock.now())
        held += kept
        for r in not_kept:
            messages.error(request, f"{r.filename} was not kept: {r.reason}.")
    chosen_type = form["issue_type"].value() or None
    chosen_priority = form["priority"].value() or None
    return render(
        request,
        "web/support/new.html",
        {
            "form": form,
            "policy": policy,
            "priorities": [policy.priorities[c] for c in policy.priority_codes()],
            "issue_default": {s: spec.default_priority for s, spec in policy.issue_types.items()},
            "similar": similar,
            "incidents": incidents,
            "held": hold,
            "held_files": held,
            "preview": _preview(chosen_priority, chosen_type, zone_for(user)),
            "tz": zone_for(user),
        },
    )


@merchant_required
def new_ticket_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the due times and the after-hours note for the chosen priority and issue type."""
    return render(
        request,
        "web/support/_preview.html",
        {
            "preview": _preview(
                request.GET.get("priority") or None,
                request.GET.get("issue_type") or None,
                zone_for(user_of(request)),
            ),
            "tz": zone_for(user_of(request)),
        },
    )


@merchant_required
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = user_of(request)
    try:
        ticket = selectors.ticket_get(user=user, ticket_id=ticket_id)
    except HelplineError as exc:
        refused(request, exc)
        return redirect("web:support")
    now = clock.now()
    zone = zone_for(user)
    return render(
        request,
        "web/support/ticket.html",
        {
            "ticket": ticket,
            "row": ticket_row(ticket, now),
            "messages_": selectors.ticket_messages(user=user, ticket=ticket),
            "events": timeline.lines(
                selectors.ticket_events(user=user, ticket=ticket), names={}, zone=zone
            ),
            "allowed": lifecycle.allowed_actions("merchant", ticket.status, ticket.priority),
            "reply_form": ReplyForm(),
            "close_form": CloseForm(),
            "tz": zone,
            **mail_context(user, ticket),
            **care_context(user, ticket),  # "with engineering", quotes
        },
    )


@merchant_required
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(request, ticket_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            message = services.ticket_reply(
                actor=user_of(request),
                ticket=ticket,
                body=form.cleaned_data["body"],
                channel=Channel.PORTAL,
                files=uploads_of(request),
            )
        except HelplineError as exc:
            if (response := refused(request, exc)) is not None:
                return response
        else:
            messages.success(request, "Your message was sent.")
            say_refused_files(request, message)
    else:
        messages.error(request, "Write a message first.")
    return redirect("web:support-ticket", ticket_id=ticket.pk)


@merchant_required
@require_POST
def ticket_action(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """close (with a rating and comment), reopen, withdraw, approve, decline."""
    ticket = ticket_or_404(request, ticket_id)
    form = CloseForm(request.POST) if action == "close" else ReasonForm(request.POST)
    if form.is_valid():
        fields: dict[str, Any] = {
            "reason": form.cleaned_data.get("reason", ""),
            "via": Quote.Via.PORTAL,
            "ip": request.META.get("REMOTE_ADDR"),
        }
        if action == "close":
            fields["rating"] = form.cleaned_data["rating"]
            fields["comment"] = form.cleaned_data["comment"]
        try:
            transitions.take(action, actor=user_of(request), ticket=ticket, fields=fields)
        except HelplineError as exc:
            if (response := refused(request, exc)) is not None:
                return response
        else:
            messages.success(request, MERCHANT_SAID.get(action, "Done."))
    return redirect("web:support-ticket", ticket_id=ticket.pk)


@public
def help_page(request: HttpRequest) -> HttpResponse:
    """Public on purpose: the support options, priorities and hours are the published policy."""
    policy = sla_selectors.current_policy()
    rows = []
    for code in policy.priority_codes():
        answer = _preview(code, None, None) or {}
        rows.append(
            {
                "priority": policy.priorities[code],
                "first": answer.get("first_response_target", {}).get("text", ""),
                "resolution": answer.get("resolution_target", {}).get("text", ""),
                "clock": answer.get("clock", ""),
            }
        )
    calendars = [(spec, _hours_text(spec.weekly)) for spec in policy.calendars.values()]
    reader = request.user if request.user.is_authenticated else None
    return render(
        request,
        "web/support/help.html",
        {
            "rows": rows,
            "calendars": calendars,
            "kb_categories": knowledge.categories(reader),
        },
    )


DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _hours_text(weekly: tuple[tuple[tuple[int, int], ...], ...]) -> list[str]:
    """Mon 10:00–18:00 …, one line per day with hours."""

    def hm(seconds: int) -> str:
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"

    return [
        f"{DAYS[day]} " + ", ".join(f"{hm(a)}–{hm(b)}" for a, b in spans)
        for day, spans in enumerate(weekly)
        if spans
    ]
