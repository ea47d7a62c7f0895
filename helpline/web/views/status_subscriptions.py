"""Status subscriptions and root-cause reports on the web (decisions 0226, 0229): subscribe
(signed in: one click; anyone: a confirmation mailed), confirm, one-click unsubscribe (RFC 8058:
the mail client POSTs to the link, so that POST needs no CSRF token — the signature is the
proof), a published root-cause report, and staff's page to write one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from helpline.accounts import access
from helpline.accounts.selectors import zone_for
from helpline.core import clock, limits
from helpline.core.errors import Forbidden, HelplineError, InvalidInput, NotFound
from helpline.core.middleware import client_address, too_many
from helpline.monitoring import root_cause
from helpline.monitoring import selectors as monitoring
from helpline.subscriptions import services
from helpline.web.common import public, staff_required, user_of

PAGE = "web/uptime/subscription.html"


def _answer(request: HttpRequest, title: str, text: str, status: int = 200) -> HttpResponse:
    return render(request, PAGE, {"title": title, "text": text}, status=status)


@public
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    """Signed in: follow the platform or a store at once. Anyone else: a confirmation mail."""
    if not request.user.is_authenticated:
        return _subscribe_by_mail(request)
    store = request.POST.get("store", "")
    try:
        services.subscribe_user(
            user=user_of(request),
            store_id=int(store) if store.isdigit() else None,
            channel=request.POST.get("channel", "email"),
        )
    except NotFound:
        raise Http404("not found") from None
    except InvalidInput as exc:
        return _answer(request, _("Not subscribed"), exc.detail, status=422)
    return redirect("/status/?subscribed=1")


@public
@csrf_exempt
@require_POST
def subscribe_by_mail(request: HttpRequest) -> HttpResponse:
    """The public status page's form for readers not signed in. No CSRF token (decision 0226):
    the page stays one shared copy with no cookie (decision 0191), and a forged post can do no
    more than the forger could by posting it themselves — ask for a confirmation mail, which
    subscribes nobody until its link is followed (rate-limited by client and by address)."""
    if request.user.is_authenticated:  # a signed-in reader subscribes through the checked form
        return redirect("/status/")
    return _subscribe_by_mail(request)


def _subscribe_by_mail(request: HttpRequest) -> HttpResponse:
    # Anyone may ask: at most limits.STATUS_ADDRESS a client address, so the page cannot
    # be used to mail strangers in bulk (one confirmation an address an hour besides).
    verdict = limits.hit(limits.STATUS_ADDRESS, client_address(request))
    if not verdict.allowed:
        return too_many(verdict, limits.STATUS_ADDRESS, api=False)
    try:
        services.subscribe_request(address=request.POST.get("address", ""))
    except InvalidInput as exc:
        return _answer(request, _("Not subscribed"), exc.detail, status=422)
    return _answer(
        request,
        _("Check your mail"),
        _("We sent a link to confirm the subscription. Nothing is sent before you confirm."),
    )


@public
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (a link checker that opens the link confirms nothing); POST confirms."""
    if request.method != "POST":
        return render(request, PAGE, {"title": _("Confirm your subscription"), "confirm": True})
    try:
        done = services.subscribe_confirm(token=token)
    except InvalidInput as exc:
        return _answer(request, _("This link cannot be used"), exc.detail, status=400)
    if not done.fresh:
        return _answer(request, _("Already confirmed"), _("You already receive the updates."))
    return _answer(request, _("Subscribed"), _("You will receive the platform's status updates."))


@public
@csrf_exempt
def unsubscribe(request: HttpRequest, subscription_id: int, signature: str) -> HttpResponse:
    """GET shows a button; POST (the button, or the mail client's one-click) unsubscribes."""
    if request.method != "POST":
        return render(request, PAGE, {"title": _("Stop the status updates"), "confirm": True})
    try:
        services.unsubscribe(subscription_id=subscription_id, signature=signature)
    except Forbidden as exc:
        return _answer(request, _("This link cannot be used"), exc.detail, status=403)
    return _answer(request, _("Unsubscribed"), _("You will receive no more status updates."))


@login_required
@require_POST
def unsubscribe_mine(request: HttpRequest, subscription_id: int) -> HttpResponse:
    try:
        services.unsubscribe_mine(user=user_of(request), subscription_id=subscription_id)
    except NotFound:
        raise Http404("not found") from None
    return redirect("/status/")


@public
def root_cause_page(request: HttpRequest, report_id: int) -> HttpResponse:
    user = user_of(request) if request.user.is_authenticated else None
    try:
        report = monitoring.root_cause_for(user=user, report_id=report_id)
    except HelplineError:
        raise Http404("not found") from None
    zone = zone_for(user) if user is not None else monitoring.display_zone()
    return render(request, "web/uptime/root_cause.html", {"report": report, "tz": zone})


@staff_required
def root_causes(request: HttpRequest) -> HttpResponse:
    if not access.sees_all_tickets(user_of(request)):  # agents and admins write them
        raise Http404("not found")
    rows = monitoring.root_causes_for_staff()
    return render(
        request,
        "web/uptime/root_causes.html",
        {"rows": rows, "tz": zone_for(user_of(request)), "now": clock.now()},
    )


@staff_required
def root_cause_edit(request: HttpRequest, report_id: int) -> HttpResponse:
    try:
        report = monitoring.root_cause_for_staff(report_id)
    except NotFound:
        raise Http404("not found") from None
    user = user_of(request)
    if not (access.sees_all_tickets(user) or report.owner_id == user.pk):
        raise Http404("not found")
    error = ""
    if request.method == "POST":
        try:
            root_cause.root_cause_publish(
                report=report, body=request.POST.get("body", ""), actor=user_of(request)
            )
            return redirect(f"/status/root-cause/{report.pk}/")
        except NotFound:
            raise Http404("not found") from None
        except InvalidInput as exc:
            error = exc.detail
    context = {"report": report, "error": error, "tz": zone_for(user_of(request))}
    return render(request, "web/uptime/root_cause_edit.html", context, status=422 if error else 200)
