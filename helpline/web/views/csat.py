"""The survey's no-login page (decision 0201) and the follow-up's "done" button.

The signed link is the credential. GET shows the score the link carries and a form that the
page's script submits at once, so one click in the mail records the answer in a person's
browser, while a mail scanner that only follows links records nothing (without script, one
button). The page speaks the survey's language; a bad, altered or expired link gets a clear page
and records nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation

from helpline.accounts.selectors import zone_for
from helpline.core import clock
from helpline.core.errors import Conflict, HelplineError, InvalidInput
from helpline.csat import followups, words
from helpline.csat import selectors as csat_selectors
from helpline.csat import services as csat
from helpline.web.common import public, refused, staff_required, user_of

TEMPLATE = "web/csat/survey.html"


def _problem(request: HttpRequest, token: str, exc: HelplineError) -> HttpResponse:
    problem, status = (
        ("invalid", 400)
        if isinstance(exc, InvalidInput)
        else ("expired", 410)
        if isinstance(exc, Conflict)
        else ("gone", 404)
    )
    with translation.override(csat_selectors.link_language(token)):
        return render(request, TEMPLATE, {"problem": problem}, status=status)


@public
def survey_link(request: HttpRequest, token: str) -> HttpResponse:
    now = clock.now()
    try:
        survey, link = csat.survey_for_link(raw=token, now=now)
    except HelplineError as exc:
        return _problem(request, token, exc)
    context: dict[str, Any] = {"survey": survey, "ticket": survey.ticket, "score": link.score}
    with translation.override(survey.language):
        context["label"] = words.score_labels()[link.score]
        if request.method == "POST":
            try:
                if request.POST.get("action") == "comment":
                    csat.answer_comment(raw=token, comment=request.POST.get("comment", ""), now=now)
                    context["commented"] = True
                else:
                    csat.answer_by_link(raw=token, now=now)
            except HelplineError as exc:
                if isinstance(exc, InvalidInput):
                    context["error"] = exc.detail
                    context["answer"] = csat_selectors.answer_of(survey)
                    return render(request, TEMPLATE, context, status=exc.status)
                return _problem(request, token, exc)
        context["answer"] = csat_selectors.answer_of(survey)
        return render(request, TEMPLATE, context)


@staff_required
def followup_done(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:am-home")
    try:
        followups.followup_done(
            actor=user_of(request), follow_up_id=follow_up_id, note=request.POST.get("note", "")
        )
    except HelplineError as exc:
        response = refused(request, exc)
        if response is not None:
            return response
        messages.error(request, exc.detail)
    return redirect("web:console" if request.POST.get("back") == "console" else "web:am-home")


@staff_required
def followups_panel(request: HttpRequest) -> HttpResponse:
    """The console's panel: every open low-score follow-up the reader may see, with its owner."""
    user = user_of(request)
    context = {
        "followups": csat_selectors.open_followups(user=user, mine=False),
        "back": "console",
        "show_owner": True,
        "tz": zone_for(user),
    }
    return render(request, "web/csat/_followups.html", context)
