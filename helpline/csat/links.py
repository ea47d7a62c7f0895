"""Signed no-login links of a survey, one per score (decision 0201).

A token names the survey, the resolution it asks about (the ticket's ``resolved_at`` as a
timestamp), the score and the instant it stops working (7 days after the resolution); it is
signed with the installation's secret (``django.core.signing``) under a salt of its own, so a
quote's link is never a survey's. A forged, altered or expired token records nothing: ``read``
raises a clear error the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core import signing

from helpline.core.errors import Conflict, InvalidInput

SALT = "helpline.csat.survey-answer"
MAX_TOKEN = 1000
SCORES = range(1, 6)


@dataclass(frozen=True)
class SurveyLink:
    survey_id: int
    resolved: int  # the resolution's instant, whole seconds since the epoch
    score: int
    expires_at: datetime


def token(*, survey_id: int, resolved_at: datetime, score: int, expires_at: datetime) -> str:
    data = {
        "s": survey_id,
        "r": int(resolved_at.timestamp()),
        "n": score,
        "e": int(expires_at.timestamp()),
    }
    return signing.dumps(data, salt=SALT)


def url(*, survey_id: int, resolved_at: datetime, score: int, expires_at: datetime) -> str:
    raw = token(survey_id=survey_id, resolved_at=resolved_at, score=score, expires_at=expires_at)
    return f"{settings.BASE_URL}/survey/{raw}/"


def _invalid() -> InvalidInput:
    return InvalidInput("this survey link is not valid", code="survey_link_invalid")


def read(raw: str, *, now: datetime) -> SurveyLink:
    """The link's content, or InvalidInput (not one we made, or altered) / Conflict (expired)."""
    if not raw or len(raw) > MAX_TOKEN:
        raise _invalid()
    try:
        data: Any = signing.loads(raw, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise _invalid() from None
    if not (
        isinstance(data, dict)
        and all(isinstance(data.get(k), int) and not isinstance(data.get(k), bool) for k in "srne")
        and data["n"] in SCORES
    ):
        raise _invalid()
    try:
        expires_at = datetime.fromtimestamp(data["e"], tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise _invalid() from None
    if now >= expires_at:
        raise Conflict("this survey has closed", code="survey_expired")
    return SurveyLink(
        survey_id=data["s"], resolved=data["r"], score=data["n"], expires_at=expires_at
    )


def survey_id_of(raw: str) -> int | None:
    """The survey a link we signed names, expired or not (to answer in its language); None for
    anything we did not sign."""
    if not raw or len(raw) > MAX_TOKEN:
        return None
    try:
        data: Any = signing.loads(raw, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    survey_id = data.get("s") if isinstance(data, dict) else None
    return survey_id if isinstance(survey_id, int) and not isinstance(survey_id, bool) else None
