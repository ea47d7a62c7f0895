"""My notifications: every signed-in person (merchant or staff) chooses channels, muted
events, quiet hours (C1 ignores them), the daily digest and their WhatsApp number."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from helpline.core.errors import HelplineError
from helpline.notifications import selectors, services
from helpline.web.common import user_of

TIME_FORMATS = ["%H:%M"]


class PreferencesForm(forms.Form):
    email = forms.BooleanField(required=False, label="Email")
    whatsapp = forms.BooleanField(required=False, label="WhatsApp (urgent things only)")
    muted = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(services.EVENT_KINDS.items()),
        label="Do not tell me about",
    )
    whatsapp_muted = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(services.EVENT_KINDS.items()),
        label="By email only, not on WhatsApp",
    )
    quiet_start = forms.TimeField(required=False, input_formats=TIME_FORMATS, label="Quiet from")
    quiet_end = forms.TimeField(required=False, input_formats=TIME_FORMATS, label="until")
    digest = forms.BooleanField(required=False, label="One daily digest mail instead")
    digest_at = forms.TimeField(input_formats=TIME_FORMATS, label="Digest at")
    whatsapp_number = forms.CharField(
        required=False, max_length=40, label="WhatsApp number", help_text="e.g. +91 98000 00001"
    )

    def __init__(self, *args: Any, kinds: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("muted", "whatsapp_muted"):  # only what this person can be told of
            self.fields[name].choices = list(kinds.items())  # type: ignore[attr-defined]
        for name in ("quiet_start", "quiet_end", "digest_at"):
            self.fields[name].widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _initial(user: Any) -> dict[str, Any]:
    pref = selectors.preference_of(user)
    return {
        "email": pref.email,
        "whatsapp": pref.whatsapp,
        "muted": list(pref.muted or []),
        "whatsapp_muted": list(pref.whatsapp_muted or []),
        "quiet_start": pref.quiet_start,
        "quiet_end": pref.quiet_end,
        "digest": pref.digest,
        "digest_at": pref.digest_at,
        "whatsapp_number": user.whatsapp,
    }


@login_required
def page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = PreferencesForm(
        request.POST or None, initial=_initial(user), kinds=selectors.event_kinds_for(user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preference_update(
                user=user,
                email=data["email"],
                whatsapp=data["whatsapp"],
                muted=data["muted"],
                whatsapp_muted=data["whatsapp_muted"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
                digest=data["digest"],
                digest_at=data["digest_at"],
                whatsapp_phone=data["whatsapp_number"],
            )
        except HelplineError as exc:  # the service's own checks: shown on the form
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "Your notification settings are saved.")
            return redirect("web:preferences")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/preferences.html",
        {"form": form, "zone": selectors.time_zone_of(user)},
        status=status,
    )
