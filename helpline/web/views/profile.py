"""My profile (staff): the time zone every staff page, mail and export shows times in."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from helpline.accounts import services
from helpline.accounts.selectors import zone_for
from helpline.core import clock, display
from helpline.core.errors import HelplineError
from helpline.web.common import staff_required, user_of


class ProfileForm(forms.Form):
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        label="My time zone",
        help_text="An IANA name such as Asia/Kolkata or Europe/London; empty: the deployment's.",
    )


@staff_required
def page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = ProfileForm(request.POST or None, initial={"time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_time_zone_set(user=user, time_zone=form.cleaned_data["time_zone"])
        except HelplineError as exc:  # not an IANA name: said on the form, nothing saved
            form.add_error("time_zone", exc.detail)
        else:
            messages.success(
                request, f"Times are now shown in {display.zone_name(zone_for(user))}."
            )
            return redirect("web:profile")
    zone = zone_for(user)
    context = {
        "form": form,
        "tz": zone,
        "now": clock.now(),
        "zones": sorted(available_timezones()),
    }
    return render(request, "web/console/profile.html", context, status=400 if form.errors else 200)
