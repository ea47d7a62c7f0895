"""The staff console: queues with countdowns (refreshed by htmx), bulk moves, the ticket page.

Each view validates, calls one service (bulk: the same service once per chosen ticket), and
renders or redirects back. Reads go through the access-scoped selectors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from helpline.accounts import access
from helpline.accounts import selectors as people
from helpline.accounts.selectors import zone_for
from helpline.core import clock
from helpline.core.errors import HelplineError
from helpline.engineering import selectors as engineering
from helpline.merchants import selectors as merchant_selectors
from helpline.sla import selectors as sla_selectors
from helpline.tickets import access as ticket_access
from helpline.tickets import lifecycle, selectors, services
from helpline.tickets.models import OPEN_STATUSES, Channel, Status
from helpline.web import canned, timeline, transitions
from helpline.web.common import mail_context, refused, staff_required, ticket_or_404, user_of
from helpline.web.forms import ActionForm, AssignForm, BulkForm, DueForm, PriorityForm, ReplyForm
from helpline.web.present import DUE_SOON, care_context, requester_context, ticket_row

OPEN = [s.value for s in OPEN_STATUSES]
PAGE = 50
QUEUES = {
    "mine": "Mine",
    "triage": "To triage",
    "unassigned": "Unassigned",
    "due_soon": "Due soon",
    "breached": "Breached",
    "waiting": "Waiting on merchant",
    "open": "All open",
    "resolved": "Resolved",
}


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def queue_order(request: HttpRequest, queue: str) -> str:
    """Newest first, or the nearest pending deadline first: chosen, else the most urgent
    first (resolved tickets have no pending deadline: newest first)."""
    chosen = request.GET.get("order", "")
    if chosen in selectors.ORDERS:
        return chosen
    return "newest" if queue == "resolved" else "due"


def queue_filters(request: HttpRequest, queue: str) -> selectors.TicketFilters:
    """A queue and the filters in the query string, as the selectors' filters."""
    user = user_of(request)
    priorities = [p for p in request.GET.getlist("priority") if p]
    store = _int_or_none(request.GET.get("store"))
    team = _int_or_none(request.GET.get("team"))
    base: dict[str, Any] = {
        "status": OPEN,
        "priority": priorities,
        "store": store,
        "team": team,
        "order": queue_order(request, queue),
    }
    if queue == "mine":
        base["assignee"] = user.pk
    elif queue == "triage":  # new, and reopened after the due date passed
        base["to_triage"] = True
    elif queue == "unassigned":
        base["unassigned"] = True
    elif queue == "due_soon":
        base["due_before"] = clock.now() + DUE_SOON
    elif queue == "breached":
        base["breached"] = True
    elif queue == "waiting":
        base["status"] = [Status.WAITING_ON_MERCHANT]
    elif queue == "resolved":
        base["status"] = [Status.RESOLVED]
    return selectors.TicketFilters(**base)


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    name = request.GET.get("q", "open")
    if name not in QUEUES:
        name = "open"
    filters = queue_filters(request, name)
    try:
        tickets, cursor = selectors.ticket_list(
            user=user,
            filters=filters,
            cursor=request.GET.get("after") or None,
            limit=PAGE,
        )
    except HelplineError as exc:
        refused(request, exc)
        tickets, cursor = [], None
    now = clock.now()
    staff = people.staff_members()
    names = {u.pk: str(u) for u in staff}
    context: dict[str, Any] = {
        "queues": list(QUEUES.items()),
        "queue": name,
        "rows": [ticket_row(t, now) for t in tickets],
        "assignees": names,
        # Why an unassigned ticket has nobody: the reason of its last routing decision.
        "reasons": selectors.routing_reasons([t.pk for t in tickets if t.assignee_id is None]),
        # "with engineering" / "engineering done" (tell the merchant): a badge on the row.
        "engineering": engineering.engineering_state([t.pk for t in tickets]),
        "cursor": cursor,
        "query": request.GET.urlencode(),
        "order": filters.order,
        "tz": zone_for(user),
        "now": now,
        # Bulk moves are for those who act on every ticket (agents, admins): account managers
        # and engineers are not offered controls that would only refuse them.
        "may_bulk": user.role in access.ALL_TICKETS_ROLES,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/console/_rows.html", context)
    policy = sla_selectors.current_policy()
    context.update(
        {
            "staff": staff,
            "priorities": policy.priority_codes(),
            "chosen_priorities": request.GET.getlist("priority"),
            "chosen_store": filters.store,
            "teams": people.teams(),
            "chosen_team": filters.team,
            "stores": list(merchant_selectors.visible_stores(user).order_by("name")[:200]),
            "saved_views": canned.saved_views(user),
            "bulk_actions": sorted(
                a
                for a, t in lifecycle.TRANSITIONS.items()
                if t.public and "staff" in t.actors and a not in ("quote", "workaround", "resolve")
            ),
        }
    )
    return render(request, "web/console/queue.html", context)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@staff_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """The same service, once per chosen ticket; what each answered is reported."""
    user = user_of(request)
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose tickets and what to do with them.")
        return _back(request, "/console/")
    data = form.cleaned_data
    done, failed = 0, []
    for ticket_id in data["tickets"][:PAGE]:
        try:
            ticket = selectors.ticket_get(user=user, ticket_id=ticket_id)
            if data["do"] == "assign":
                services.ticket_update(
                    actor=user, ticket=ticket, assignee=_int_or_none(data["assignee"])
                )
            else:
                transitions.take(
                    data["action"],
                    actor=user,
                    ticket=ticket,
                    fields={"assignee": ticket.assignee_id or user.pk},
                )
            done += 1
        except HelplineError as exc:
            failed.append(f"HL-{ticket_id}: {exc.detail}")
    if done:
        messages.success(request, f"{done} ticket{'s' if done != 1 else ''} updated.")
    for line in failed:
        messages.error(request, line)
    return _back(request, "/console/")


@staff_required
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = user_of(request)
    try:
        ticket = selectors.ticket_get(user=user, ticket_id=ticket_id)
    except HelplineError as exc:
        refused(request, exc)
        return redirect("web:console")
    now = clock.now()
    policy = sla_selectors.policy_version(ticket.policy_version_id)
    staff = people.staff_members()
    capacity = ticket_access.capacity(user, ticket) or "engineer"
    names = {u.pk: str(u) for u in staff}
    zone = zone_for(user)
    return render(
        request,
        "web/console/ticket.html",
        {
            "ticket": ticket,
            "row": ticket_row(ticket, now),
            "messages_": selectors.ticket_messages(user=user, ticket=ticket),
            "events": timeline.lines(
                selectors.ticket_events(user=user, ticket=ticket), names=names, zone=zone
            ),
            "allowed": lifecycle.allowed_actions(capacity, ticket.status, ticket.priority),
            "capacity": capacity,
            "staff": staff,
            "names": names,
            "reply_form": ReplyForm(),
            "canned": canned.canned_replies(ticket, user),
            "assign_form": AssignForm(initial={"assignee": ticket.assignee_id}, staff=staff),
            "priority_form": PriorityForm(
                initial={"priority": ticket.priority, "issue_type": ticket.issue_type},
                policy=policy,
            ),
            "due_form": DueForm(),
            "tz": zone,
            **mail_context(user, ticket),
            **care_context(user, ticket),  # engineering and quotes
            **requester_context(user, ticket),  # who, phone, WhatsApp, their other tickets
        },
    )


def _done(request: HttpRequest, ticket_id: int, call: Any, said: str) -> HttpResponse:
    """Run one service call; what it did (``said``) or its refusal is a message on the ticket
    page (the flash region, announced to screen readers)."""
    try:
        call()
    except HelplineError as exc:
        if (response := refused(request, exc)) is not None:
            return response
    else:
        messages.success(request, said)
    return redirect("web:console-ticket", ticket_id=ticket_id)


@staff_required
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(request, ticket_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a message first.")
        return redirect("web:console-ticket", ticket_id=ticket.pk)
    data = form.cleaned_data
    return _done(
        request,
        ticket.pk,
        lambda: services.ticket_reply(
            actor=user_of(request),
            ticket=ticket,
            body=data["body"],
            internal=data["internal"],
            question=data["question"],
            channel=Channel.STAFF,
        ),
        "Internal note added." if data["internal"] else "Reply sent to the merchant.",
    )


@staff_required
@require_POST
def ticket_assign(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(request, ticket_id)
    form = AssignForm(request.POST, staff=people.staff_members())
    if not form.is_valid():
        messages.error(request, "Choose a member of staff.")
        return redirect("web:console-ticket", ticket_id=ticket.pk)
    return _done(
        request,
        ticket.pk,
        lambda: services.ticket_update(
            actor=user_of(request), ticket=ticket, assignee=form.cleaned_data["assignee"]
        ),
        _assigned_text(form.cleaned_data["assignee"]),
    )


@staff_required
@require_POST
def ticket_priority(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(request, ticket_id)
    form = PriorityForm(request.POST, policy=sla_selectors.policy_version(ticket.policy_version_id))
    if not form.is_valid():
        messages.error(request, "A change needs a priority, a known issue type and a reason.")
        return redirect("web:console-ticket", ticket_id=ticket.pk)
    return _done(
        request,
        ticket.pk,
        lambda: services.ticket_update(
            actor=user_of(request),
            ticket=ticket,
            priority=form.cleaned_data["priority"],
            issue_type=form.cleaned_data["issue_type"] or None,
            reason=form.cleaned_data["reason"],
        ),
        f"Priority {form.cleaned_data['priority']} saved.",
    )


@staff_required
@require_POST
def ticket_due(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(request, ticket_id)
    zone = zone_for(user_of(request))
    form = DueForm(request.POST)
    with timezone.override(zone):
        valid = form.is_valid()
    if not valid:
        messages.error(request, "A due date needs a date, a time and a reason.")
        return redirect("web:console-ticket", ticket_id=ticket.pk)
    return _done(
        request,
        ticket.pk,
        lambda: services.ticket_update(
            actor=user_of(request),
            ticket=ticket,
            due_at=form.due_in(zone),
            reason=form.cleaned_data["reason"],
        ),
        "Due date set.",
    )


@staff_required
@require_POST
def ticket_action(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """A lifecycle action: triage, start, workaround (C1), resolve …"""
    ticket = ticket_or_404(request, ticket_id)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Unknown action.")
        return redirect("web:console-ticket", ticket_id=ticket.pk)
    data = form.cleaned_data
    fields: dict[str, Any] = {"reason": data["reason"]}
    if data["action"] == "triage":
        fields["assignee"] = ticket.assignee_id or user_of(request).pk
    if data["message"]:
        fields["message"] = data["message"]
    return _done(
        request,
        ticket.pk,
        lambda: transitions.take(
            data["action"], actor=user_of(request), ticket=ticket, fields=fields
        ),
        ACTION_SAID.get(data["action"], f"Done: {data['action']}."),
    )


ACTION_SAID = {
    "triage": "Triaged: the due date is set from the policy.",
    "start": "Work started.",
    "resolve": "Resolved; the merchant has the resolution message.",
    "workaround": "Workaround recorded (C1 → C2).",
}


def _assigned_text(assignee: int | None) -> str:
    if assignee is None:
        return "Unassigned."
    names = {u.pk: str(u) for u in people.staff_members()}
    return f"Assigned to {names.get(assignee, 'them')}."


@staff_required
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    """Save the current queue and filters under a name (shown above the queues)."""
    query = request.POST.get("query", "")
    try:
        canned.saved_view_create(
            user=user_of(request), name=request.POST.get("name", ""), query=query
        )
    except HelplineError as exc:
        refused(request, exc)
    else:
        messages.success(request, "View saved.")
    return redirect(f"/console/?{canned.clean_query(query)}")


@staff_required
@require_POST
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    try:
        canned.saved_view_delete(user=user_of(request), view_id=view_id)
    except HelplineError as exc:
        refused(request, exc)  # another person's view: 404
    else:
        messages.success(request, "View deleted.")
    return redirect("web:console")
