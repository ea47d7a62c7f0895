"""What a survey says to a merchant, by mail and by WhatsApp, in the survey's language
(``gettext`` under ``translation.override``: item 1 of issue 20 adds the catalogues), and the
language itself: the merchant user's own if they have one, else the merchant's, else English —
an unknown code is never an error (decision 0202)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from helpline.csat import links
from helpline.outbox.channels.email import payload as email_payload
from helpline.outbox.channels.whatsapp import payload as whatsapp_payload

# English and the six Indian languages of issue 20; anything else falls back to English.
LANGUAGES = ("en", "hi", "ta", "te", "bn", "mr", "kn")
DEFAULT = "en"
REPLY_PREFIX = "csat"


def language_of(*candidates: Any) -> str:
    """The first candidate that is one of ``LANGUAGES`` (``hi-IN`` counts as ``hi``)."""
    for raw in candidates:
        code = str(raw or "").strip().lower().replace("_", "-").split("-")[0]
        if code in LANGUAGES:
            return code
    return DEFAULT


def score_labels() -> dict[int, str]:
    return {
        5: _("Very satisfied"),
        4: _("Satisfied"),
        3: _("Neutral"),
        2: _("Dissatisfied"),
        1: _("Very dissatisfied"),
    }


def reply_id(survey_id: int, score: int) -> str:
    """The id a WhatsApp button or list row sends back: ``csat:<survey>:<score>``."""
    return f"{REPLY_PREFIX}:{survey_id}:{score}"


def mail(*, survey: Any, reference: str, subject: str) -> dict[str, Any]:
    """The survey's mail: the question and one signed link per score."""
    with translation.override(survey.language):
        labels = score_labels()
        lines = [
            f"{reference}: {subject}",
            "",
            _("Your ticket was resolved. How satisfied are you with our support?"),
            _("One click records your answer; you can change it for 7 days."),
            "",
        ]
        for score in range(5, 0, -1):
            link = links.url(
                survey_id=survey.pk,
                resolved_at=survey.resolved_at,
                score=score,
                expires_at=survey.expires_at,
            )
            lines.append(f"{score} — {labels[score]}: {link}")
        lines += ["", email_payload.SIGNATURE]
        title = _("How did we do?")
    return email_payload.plain(
        subject=f"[{reference}] {title} — {subject}"[:250], body="\n".join(lines)
    )


def whatsapp(*, survey: Any, reference: str) -> dict[str, Any]:
    """The survey on WhatsApp: five reply choices, ids ``csat:<survey>:<score>``."""
    with translation.override(survey.language):
        labels = score_labels()
        question = _("Your ticket %(reference)s was resolved. How satisfied are you?") % {
            "reference": reference
        }
        choices = [(reply_id(survey.pk, s), f"{s} — {labels[s]}") for s in range(5, 0, -1)]
        return whatsapp_payload.survey(
            question=question,
            button=_("Rate us"),
            choices=choices,
            language=survey.language,
            reference=reference,
        )


def whatsapp_closed(*, reference: str, language: str) -> dict[str, Any]:
    """The polite answer to a reply after the survey closed."""
    with translation.override(language):
        text = _(
            "Thank you! The survey about %(reference)s closed 7 days after the resolution, so "
            "this answer was not recorded."
        ) % {"reference": reference}
    return whatsapp_payload.notice(text=text, reference=reference, language=language)


def whatsapp_thanks(*, reference: str, score: int, language: str) -> dict[str, Any]:
    with translation.override(language):
        text = _("Thank you! We recorded %(score)s of 5 for %(reference)s.") % {
            "score": score,
            "reference": reference,
        }
    return whatsapp_payload.notice(text=text, reference=reference, language=language)
