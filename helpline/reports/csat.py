"""The CSAT report (decision 0204): by agent, team, issue type, merchant and language, the
resolutions of the period (each one survey), the answers, the response rate (answers ÷
surveys), CSAT % (answers of 4 or 5 ÷ answers), the average score and the low scores (1–2, each
a follow-up). The groups are the survey's, as they were at the resolution. One GROUP BY over
the surveys of the tickets the reader may see (``csat.selectors.report_rows``)."""

from __future__ import annotations

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core.errors import InvalidInput
from helpline.csat import selectors as csat
from helpline.reports.selectors import Period, Table

COLUMNS = ["surveys", "answers", "response rate %", "CSAT %", "average score", "scores 1–2"]


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def csat_report(*, user: User | None, period: Period, by: str) -> Table:
    if by not in csat.DIMENSIONS:
        raise InvalidInput(f"group by one of: {', '.join(csat.DIMENSIONS)}", code="invalid")
    if by in csat.INTERNAL and not access.sees_internal(user):
        raise InvalidInput(f"only staff group by {by}", code="invalid_dimension")
    _, label, none = csat.DIMENSIONS[by]
    table = Table(
        name=f"csat-{by}",
        title=f"Customer satisfaction (CSAT) by {label}",
        columns=[label, *COLUMNS],
    )
    rows = csat.report_rows(user=user, start=period.start, end=period.end, by=by)
    for r in rows:
        answered = r["answered"]
        average = round(r["score_sum"] / answered, 2) if answered else None
        table.rows.append(
            [
                none if r["key"] is None else r["key"],
                r["sent"],
                answered,
                _pct(answered, r["sent"]),
                _pct(r["satisfied"], answered),
                average,
                r["unhappy"],
            ]
        )
    return table
