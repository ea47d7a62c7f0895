"""Uptime pages: the public platform status, a store's status for its merchant (and staff), and
the monthly report (page, CSV, PDF). Store reads go through the scoped selectors: a store the
user may not see is a 404."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe

from helpline.accounts.selectors import zone_for
from helpline.core import clock
from helpline.core.errors import HelplineError
from helpline.merchants import selectors as merchant_selectors
from helpline.merchants.models import Store
from helpline.monitoring import selectors, uptime_report
from helpline.subscriptions import selectors as subscription_selectors
from helpline.web.common import public, user_of


@public
def status_page(request: HttpRequest) -> HttpResponse:
    """Public on purpose (no sign-in): the platform's state, incidents, maintenance, history.
    No store is named. For anyone not signed in it is the same page: shared for
    ``STATUS_CACHE_SECONDS`` (the front door answers it from its cache meanwhile, decision
    0191); a signed-in reader's (their name in the menu) is theirs alone."""
    now = clock.now()
    status = selectors.platform_status(now=now)
    context = {
        "status": status,
        "platform_wide": [w for w in status.maintenance if not w.stores.all()],
        "tz": settings.TIME_ZONE_DISPLAY,
        "published": selectors.root_causes_published(),
        "root_causes": selectors.root_cause_of_incidents([i.pk for i in status.history]),
    }
    if request.user.is_authenticated:
        user = user_of(request)
        context["mine"] = subscription_selectors.subscriptions_of(user)
        context["stores"] = list(merchant_selectors.visible_stores(user).order_by("name")[:200])
    response = render(request, "web/uptime/status.html", context)
    if request.user.is_authenticated:
        patch_cache_control(response, private=True)
    else:
        patch_cache_control(response, public=True, max_age=settings.STATUS_CACHE_SECONDS)
    return response


@login_required
def uptime_home(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    now = clock.now()
    stores = list(
        merchant_selectors.visible_stores(user).select_related("merchant").order_by("name")[:200]
    )
    figures = selectors.month_figures(stores, now=now)
    states = selectors.monitor_states([s.pk for s in stores])
    rows = [{"store": s, "month": figures[s.pk], "states": states.get(s.pk, [])} for s in stores]
    return render(request, "web/uptime/home.html", {"rows": rows, "tz": zone_for(user)})


def _store_or_404(request: HttpRequest, store_id: int) -> Store:
    try:
        return selectors.store_for(user=user_of(request), store_id=store_id)
    except HelplineError:
        raise Http404("store not found") from None


@login_required
def store_status(request: HttpRequest, store_id: int) -> HttpResponse:
    store = _store_or_404(request, store_id)
    now = clock.now()
    zone = selectors.zone_of(store)
    today = now.astimezone(zone).date()
    bars = selectors.daily_bars(store, today=today, now=now)
    return render(
        request,
        "web/uptime/store.html",
        {
            "store": store,
            "tz": zone,
            "monitors": list(selectors.monitors(store_id=store.pk)),  # paused ones say so
            "month": selectors.store_figures(store, kind="month", day=today, now=now),
            "year": selectors.store_figures(store, kind="year", day=today, now=now),
            "chart": mark_safe(uptime_report.bars_svg(bars)),  # noqa: S308 - numbers and dates, escaped
            "outages": selectors.store_outages(store, since=now - timedelta(days=90)),
            "maintenance": selectors.maintenance_windows(since=now, store=store),
            "this_month": today.replace(day=1),
            "last_month": (today.replace(day=1) - timedelta(days=1)).replace(day=1),
        },
    )


@login_required
def monthly_report(
    request: HttpRequest, store_id: int, year: int, month: int, fmt: str = "html"
) -> HttpResponse:
    store = _store_or_404(request, store_id)
    if fmt not in ("html", "csv", "pdf") or not (1 <= month <= 12) or not (2000 <= year <= 2999):
        raise Http404("not found")
    data = uptime_report.monthly(store, month=date(year, month, 1), now=clock.now())
    name = f"uptime-{store.pk}-{year:04d}-{month:02d}"
    if fmt == "csv":
        response = HttpResponse(uptime_report.as_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "pdf":
        response = HttpResponse(uptime_report.as_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return render(
        request,
        "web/uptime/report.html",
        {
            "report": data,
            "store": store,
            "tz": data.zone,
            "chart": mark_safe(uptime_report.bars_svg(data.days)),  # noqa: S308 - numbers and dates
            "csv": f"{year:04d}-{month:02d}.csv",
        },
    )
