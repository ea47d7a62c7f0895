"""Support-center pages for account management and quotes: the merchant's account
managers with "request a call", each store's progress sheet (read-only) and contact log, and the
page a quote's signed mail link opens.

Each view validates, calls one service (or selector), renders or redirects back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from helpline.account_management import selectors as am_selectors
from helpline.account_management import services as am_services
from helpline.account_management import support
from helpline.accounts.models import User
from helpline.accounts.selectors import zone_for
from helpline.billing import decisions
from helpline.billing.models import Quote
from helpline.core import clock
from helpline.core.errors import Conflict, HelplineError, InvalidInput, NotFound
from helpline.merchants import selectors as merchant_selectors
from helpline.reports import progress_sheet
from helpline.web.common import merchant_required, public, refused, user_of
from helpline.web.views.am import sheet_export


@merchant_required
def account(request: HttpRequest) -> HttpResponse:
    """The merchant's dashboard: each store's account manager, how to reach them, and calls."""
    user = user_of(request)
    return render(
        request,
        "web/support/account.html",
        {"cards": am_selectors.account_managers_for(user), "tz": zone_for(user)},
    )


def _ask(request: HttpRequest, store_id: int, ask: Callable[[User, Any], Any], done: str) -> Any:
    """A merchant's request about one of their stores, posted from the account page: the
    store through the scoped selector, one service, a message, back to the page."""
    user = user_of(request)
    if request.method != "POST":
        return redirect("web:support-account")
    try:
        ask(user, merchant_selectors.store_get(user=user, store_id=store_id))
    except HelplineError as exc:
        if (response := refused(request, exc)) is not None:
            return response
    else:
        messages.success(request, done)
    return redirect("web:support-account")


@merchant_required
def request_call(request: HttpRequest, store_id: int) -> HttpResponse:
    return _ask(
        request,
        store_id,
        lambda user, store: am_services.call_request_create(
            actor=user,
            store=store,
            preferred_times=request.POST.get("preferred_times", ""),
            topic=request.POST.get("topic", ""),
        ),
        "Your account manager has your request and will call you.",
    )


@merchant_required
def cancel_call(request: HttpRequest, store_id: int, request_id: int) -> HttpResponse:
    """The merchant cancels a call they asked for (their store's, open or scheduled)."""

    def cancel(user: User, store: Any) -> Any:
        found = am_selectors.call_request_get(user=user, request_id=request_id)
        if found.store_id != store.pk:
            raise NotFound("call request not found")
        return am_services.call_request_cancel(actor=user, call_request=found)

    return _ask(request, store_id, cancel, "Your call request is cancelled.")


@merchant_required
def request_support(request: HttpRequest, store_id: int) -> HttpResponse:
    """The merchant asks for account-manager support for one store (an add-on)."""
    return _ask(
        request,
        store_id,
        lambda user, store: support.support_request(
            actor=user, store=store, note=request.POST.get("note", ""), now=clock.now()
        ),
        "Asked: an admin will assign an account manager to the store and tell you.",
    )


@merchant_required
def store_sheet(request: HttpRequest, store_id: int) -> HttpResponse:
    """The store's progress sheet, read-only, and its contact log."""
    user = user_of(request)
    try:
        store = merchant_selectors.store_get(user=user, store_id=store_id)
    except HelplineError as exc:
        refused(request, exc)
        raise
    now = clock.now()
    return render(
        request,
        "web/support/sheet.html",
        {
            "store": store,
            "rows": progress_sheet.sheet_rows(
                user=user, store=store, now=now, limit=progress_sheet.SHOWN
            ),
            "more": max(0, progress_sheet.sheet_size(store=store, now=now) - progress_sheet.SHOWN),
            "entries": am_selectors.contact_entries(user=user, store=store),
            "recent_days": progress_sheet.RECENT_DAYS,
            "tz": zone_for(user),
        },
    )


@merchant_required
def store_sheet_export(request: HttpRequest, store_id: int, fmt: str) -> HttpResponse:
    return sheet_export(request, store_id, fmt)


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@public
def quote_link(request: HttpRequest, token: str) -> HttpResponse:
    """Public on purpose: the signed link is the credential (it names the quote, the merchant
    user it was mailed to and its expiry). GET shows the quote; only the POST decides (mail
    scanners follow links). A forged or expired link does nothing and says so."""
    try:
        quote, person = decisions.quote_for_link(raw=token)
    except InvalidInput:
        return render(request, "web/support/quote_link.html", {"problem": "invalid"}, status=400)
    except Conflict:
        return render(request, "web/support/quote_link.html", {"problem": "expired"}, status=410)
    except HelplineError:
        return render(request, "web/support/quote_link.html", {"problem": "gone"}, status=404)
    context: dict[str, Any] = {
        "quote": quote,
        "person": person,
        "ticket": quote.ticket,
        "done": None,
        "tz": zone_for(person),
    }
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            quote = decisions.quote_decide_by_link(
                raw=token,
                decision=decision,
                reason=request.POST.get("reason", ""),
                ip=_client_ip(request),
            )
        except HelplineError as exc:
            context["error"] = exc.detail
            status = exc.status
            return render(request, "web/support/quote_link.html", context, status=status)
        context.update({"quote": quote, "done": quote.status})
    elif quote.status != Quote.Status.PENDING:
        context["done"] = quote.status
    return render(request, "web/support/quote_link.html", context)
