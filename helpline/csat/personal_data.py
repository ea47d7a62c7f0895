"""A person's survey answers (issue 21, decision 0183; surveys: 0200): what the privacy export
holds and what erasure scrubs — the comment's text and the WhatsApp number asked; the score
stays (the report counts it; it names nobody)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpline.csat.models import Answer, Survey


def export(*, user_id: int | None) -> list[dict[str, Any]]:
    if user_id is None:
        return []
    rows = Survey.objects.filter(recipient_id=user_id).select_related("answer").order_by("pk")
    found = []
    for s in rows:
        answer: Answer | None = getattr(s, "answer", None)  # the reverse one-to-one, or none
        found.append(
            {
                "survey_id": s.pk,
                "ticket_id": s.ticket_id,
                "resolved_at": s.resolved_at,
                "whatsapp": s.whatsapp,
                "language": s.language,
                "score": answer.score if answer else None,
                "comment": answer.comment if answer else "",
                "channel": answer.channel if answer else "",
                "answered_at": answer.answered_at if answer else None,
            }
        )
    return found


def erase(*, user_id: int | None, scrub: Callable[[str], str]) -> int:
    """Comments scrubbed, the number asked forgotten; how many surveys were touched."""
    if user_id is None:
        return 0
    surveys = Survey.objects.filter(recipient_id=user_id)
    count = surveys.exclude(whatsapp="").update(whatsapp="")
    for answer in Answer.objects.filter(survey__in=surveys).exclude(comment=""):
        answer.comment = scrub(answer.comment)
        answer.save(update_fields=["comment"])
        count += 1
    return count
