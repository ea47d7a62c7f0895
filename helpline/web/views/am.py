"""Console pages for account management and engineering: the account manager's home,
a store's page (progress sheet with notes, contact log, call requests), the sheet's exports,
developer tickets, and the escalate and quote forms of a ticket page.

Each view validates, calls one service (or selector), renders or redirects back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from helpline.account_management import selectors as am_selectors
from helpline.account_management import services as am_services
from helpline.account_management import support
from helpline.account_management.models import ContactLogEntry
from helpline.accounts import access
from helpline.accounts import selectors as account_selectors
from helpline.accounts.selectors import zone_for
from helpline.billing import selectors as billing_selectors
from helpline.billing import services as billing_services
from helpline.core import clock
from helpline.core.errors import HelplineError, InvalidInput
from helpline.csat import selectors as csat_selectors
from helpline.engineering import selectors as engineering
from helpline.engineering import services as engineering_services
from helpline.engineering.models import DevTicket
from helpline.merchants import selectors as merchant_selectors
from helpline.reports import progress_sheet
from helpline.sla import selectors as sla_selectors
from helpline.tickets import services as ticket_services
from helpline.tickets.models import Channel
from helpline.web import present
from helpline.web.common import refused, staff_required, ticket_or_404, user_of
from helpline.web.present import ticket_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(raw: str, zone: ZoneInfo, name: str) -> datetime | None:
    """A datetime-local field, read in the viewer's zone (empty: None)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name}: not a date and time", code=f"invalid_{name}") from None
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def _ids(raw: list[str]) -> list[int]:
    out = []
    for item in raw:
        text = item.strip().upper().removeprefix("HL-")
        if text.isdigit():
            out.append(int(text))
        elif text:
            raise InvalidInput(f"{item!r} is not a ticket reference", code="invalid_tickets")
    return out


def _run(request: HttpRequest, back: str, call: Any, done: str) -> HttpResponse:
    try:
        call()
    except HelplineError as exc:
        if (response := refused(request, exc)) is not None:
            return response
    else:
        messages.success(request, done)
    return redirect(back)


# ---------------------------------------------------------------- the account manager's home


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not (access.is_account_manager(user) or access.is_admin(user)):
        return HttpResponseForbidden("The home page of account managers.")
    now = clock.now()
    data = am_selectors.am_home(user=user, now=now)
    rows = [ticket_row(t, now) for t in data.open_tickets]
    return render(
        request,
        "web/am/home.html",
        {
            "home": data,
            "rows": rows,
            "todo": present.am_todo(data, rows, now),
            "breached": [r for r in rows if r.breached],  # recorded or overdue now
            "support_requests": am_selectors.support_requests_pending(user),
            "followups": csat_selectors.open_followups(user=user, mine=True),
            "tz": zone_for(user),
        },
    )


# ---------------------------------------------------------------- a store: sheet, log, calls


def _store(request: HttpRequest, store_id: int) -> Any:
    try:
        return merchant_selectors.store_get(user=user_of(request), store_id=store_id)
    except HelplineError as exc:
        refused(request, exc)  # raises Http404
        raise


@staff_required
def store_page(request: HttpRequest, store_id: int) -> HttpResponse:
    user = user_of(request)
    store = _store(request, store_id)
    now = clock.now()
    return render(
        request,
        "web/am/store.html",
        {
            "store": store,
            "rows": progress_sheet.sheet_rows(
                user=user, store=store, now=now, limit=progress_sheet.SHOWN
            ),
            "more": max(0, progress_sheet.sheet_size(store=store, now=now) - progress_sheet.SHOWN),
            "columns": progress_sheet.COLUMNS,
            "entries": am_selectors.contact_entries(user=user, store=store),
            "call_requests": am_selectors.call_requests(user=user, store=store),
            "manages": access.manages_store(user, store),
            "channels": ContactLogEntry.Channel.choices,
            "tz": zone_for(user),
            "recent_days": progress_sheet.RECENT_DAYS,
            "merchant_users": account_selectors.merchant_users([store.merchant_id], by_name=True),
            "policy": sla_selectors.current_policy(),
            "assigns": access.is_admin(user),
            "account_managers": account_selectors.account_managers(),
            "support_request": am_selectors.support_request_for(store),
            "subscription": billing_selectors.running_subscription(store_id=store.pk),
        },
    )


def sheet_export(request: HttpRequest, store_id: int, fmt: str) -> HttpResponse:
    """The progress sheet as CSV or XLSX: the rows the page shows (staff and the merchant)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("not found")
    user = user_of(request)
    store = _store(request, store_id)
    rows = progress_sheet.sheet_rows(user=user, store=store, now=clock.now())
    zone = zone_for(user)
    if fmt == "xlsx":
        response = HttpResponse(
            progress_sheet.to_xlsx(rows, zone, title=f"{store.name} progress"), content_type=XLSX
        )
    else:
        response = HttpResponse(
            progress_sheet.to_csv(rows, zone), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="progress-{store.pk}.{fmt}"'
    return response


@staff_required
def store_sheet_export(request: HttpRequest, store_id: int, fmt: str) -> HttpResponse:
    return sheet_export(request, store_id, fmt)


@staff_required
@require_POST
def store_note(request: HttpRequest, store_id: int, ticket_id: int) -> HttpResponse:
    store = _store(request, store_id)
    ticket = ticket_or_404(request, ticket_id)
    back = f"/console/stores/{store.pk}/"
    if ticket.store_id != store.pk:
        messages.error(request, "That ticket is not one of this store's.")
        return redirect(back)
    return _run(
        request,
        back,
        lambda: am_services.sheet_note_set(
            actor=user_of(request), ticket=ticket, note=request.POST.get("note", "")
        ),
        "Note saved.",
    )


@staff_required
@require_POST
def store_account_manager(request: HttpRequest, store_id: int) -> HttpResponse:
    """An admin assigns the store's account manager (empty: none); the subscription follows."""
    user = user_of(request)
    store = _store(request, store_id)
    raw = request.POST.get("account_manager", "").strip()
    charge = request.POST.get("monthly_charge_inr", "").strip() or None

    def call() -> Any:
        if raw and not raw.isdigit():
            raise InvalidInput("account_manager: choose an account manager", code="invalid")
        return support.account_manager_assign(
            actor=user,
            store=store,
            account_manager_id=int(raw) if raw else None,
            monthly_charge_inr=charge,
            now=clock.now(),
        )

    done = "Account manager assigned." if raw else "The store has no account manager now."
    return _run(request, f"/console/stores/{store.pk}/", call, done)


@staff_required
@require_POST
def store_log(request: HttpRequest, store_id: int) -> HttpResponse:
    """Log a contact; or send an email / WhatsApp; or schedule a meeting / training."""
    user = user_of(request)
    store = _store(request, store_id)
    zone = zone_for(user)
    post = request.POST
    back = f"/console/stores/{store.pk}/"
    do = post.get("do", "log")

    def call() -> Any:
        tickets = _ids(post.get("tickets", "").replace(",", " ").split())
        request_id = int(post["call_request"]) if post.get("call_request", "").isdigit() else None
        if do == "send":
            return am_services.contact_send(
                actor=user,
                store=store,
                channel=post.get("channel", ""),
                subject=post.get("subject", ""),
                body=post.get("body", ""),
                ticket_ids=tickets,
            )
        if do == "meeting":
            starts = _local(post.get("starts_at", ""), zone, "starts_at")
            if starts is None:
                raise InvalidInput("a meeting needs a time", code="invalid_starts_at")
            minutes = int(post["minutes"]) if post.get("minutes", "").isdigit() else 60
            return am_services.meeting_schedule(
                actor=user,
                store=store,
                channel=post.get("channel", "meeting"),
                starts_at=starts,
                ends_at=starts + timedelta(minutes=minutes),
                link=post.get("link", ""),
                summary=post.get("summary", ""),
                ticket_ids=tickets,
                attendees=post.get("attendees", "").replace(",", " ").split(),
                call_request_id=request_id,
            )
        return am_services.contact_log(
            actor=user,
            store=store,
            channel=post.get("channel", ""),
            summary=post.get("summary", ""),
            happened_at=_local(post.get("happened_at", ""), zone, "happened_at"),
            ticket_ids=tickets,
            call_request_id=request_id,
        )

    done = {"send": "Sent and logged.", "meeting": "Scheduled; invitations sent."}
    return _run(request, back, call, done.get(do, "Logged."))


# ---------------------------------------------------------------- engineering


@staff_required
def dev_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    status = [s for s in request.GET.getlist("status") if s in DevTicket.Status.values]
    if not status and "all" not in request.GET:
        status = ["open", "in_progress", "in_review"]
    return render(
        request,
        "web/am/dev_list.html",
        {
            "devs": engineering.devticket_list(user=user, status=status),
            "statuses": DevTicket.Status.choices,
            "chosen": status,
            "tz": zone_for(user),
        },
    )


@staff_required
def dev_page(request: HttpRequest, dev_id: str) -> HttpResponse:
    user = user_of(request)
    try:
        dev = engineering.devticket_get(user=user, dev_id=dev_id)
    except HelplineError as exc:
        refused(request, exc)
        raise
    if request.method == "POST" and request.POST.get("do") == "comment":
        return _run(
            request,
            f"/console/dev/{dev.pk}/#comments-h",
            lambda: engineering_services.devticket_comment(
                actor=user, dev=dev, body=request.POST.get("body", "")
            ),
            "Comment added.",
        )
    if request.method == "POST":
        zone = zone_for(user)
        changes: dict[str, Any] = {}
        if "eta" in request.POST:
            try:
                eta = _local(request.POST.get("eta", ""), zone, "eta")
            except InvalidInput as exc:
                refused(request, exc)
                return redirect(f"/console/dev/{dev.pk}/")
            shown = dev.eta.replace(second=0, microsecond=0) if dev.eta else None
            if eta != shown:  # the form shows minutes: an untouched field is no change
                changes["eta"] = eta
        if "engineer" in request.POST:
            raw = request.POST.get("engineer", "")
            changes["engineer_id"] = int(raw) if raw.isdigit() else None
        return _run(
            request,
            f"/console/dev/{dev.pk}/",
            lambda: engineering_services.devticket_update(
                actor=user,
                dev=dev,
                status=request.POST.get("status") or None,
                resolution_note=request.POST.get("resolution_note"),
                **changes,
            ),
            "Developer ticket updated.",
        )
    return render(
        request,
        "web/am/dev.html",
        {
            "dev": dev,
            "comments": engineering.devticket_comments(user=user, dev=dev),
            "statuses": DevTicket.Status.choices,
            "engineers": account_selectors.engineers(),
            "tz": zone_for(user),
        },
    )


@staff_required
@require_POST
def escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page's "Escalate to engineering": a new developer ticket, or link to one."""
    user = user_of(request)
    ticket = ticket_or_404(request, ticket_id)
    post = request.POST
    back = f"/console/t/{ticket.pk}/"
    existing = post.get("dev", "").strip()

    def call() -> Any:
        if existing:
            dev = engineering.devticket_get(user=user, dev_id=existing)
            return engineering_services.devticket_link(actor=user, dev=dev, ticket_id=ticket.pk)
        raw = post.get("engineer", "")
        return engineering_services.devticket_open(
            actor=user,
            title=post.get("title", ""),
            description=post.get("description", ""),
            ticket_ids=[ticket.pk],
            engineer_id=int(raw) if raw.isdigit() else None,
            eta=_local(post.get("eta", ""), zone_for(user), "eta"),
        )

    return _run(request, back, call, "Escalated to engineering.")


@staff_required
@require_POST
def attach_quote(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Staff attach a quote: the ticket awaits the merchant's approval (clocks paused)."""
    user = user_of(request)
    ticket = ticket_or_404(request, ticket_id)
    post = request.POST

    def call() -> Any:
        valid_until = _local(post.get("valid_until", ""), zone_for(user), "valid_until")
        if valid_until is None:
            raise InvalidInput("a quote is valid until a date", code="invalid_valid_until")
        return billing_services.quote_create(
            actor=user,
            ticket=ticket,
            amount_inr=post.get("amount_inr", ""),
            description=post.get("description", ""),
            valid_until=valid_until,
            due_at=_local(post.get("due_at", ""), zone_for(user), "due_at"),
        )

    return _run(request, f"/console/t/{ticket.pk}/", call, "Quote sent to the merchant.")


@staff_required
@require_POST
def store_raise(request: HttpRequest, store_id: int) -> HttpResponse:
    """Raise a ticket on the merchant's behalf (the chosen merchant user is its requester)."""
    user = user_of(request)
    store = _store(request, store_id)
    post = request.POST
    created: list[Any] = []

    def call() -> None:
        raw = post.get("requester", "")
        requester = account_selectors.merchant_user(int(raw)) if raw.isdigit() else None
        created.append(
            ticket_services.ticket_create(
                actor=user,
                store=store,
                subject=post.get("subject", ""),
                description=post.get("description", ""),
                issue_type=post.get("issue_type", ""),
                priority=post.get("priority") or None,
                channel=Channel.STAFF,
                on_behalf_of=requester,
            )
        )

    response = _run(request, f"/console/stores/{store.pk}/", call, "Ticket raised.")
    return redirect("web:console-ticket", ticket_id=created[0].pk) if created else response
