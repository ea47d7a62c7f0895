"""The CSAT report: by agent, team, issue type, merchant and language, from the surveys of the
resolutions in the period — response rate = answers ÷ surveys, CSAT % = answers of 4–5 ÷
answers —, scoped to the reader, as JSON, CSV and XLSX."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest

from helpline.conftest import T0, Cast
from helpline.csat import services as csat
from helpline.csat.models import Channel, Survey
from helpline.csat.tests.conftest import RESOLVED, resolve
from helpline.reports import selectors as reports
from helpline.reports.selectors import Period

pytestmark = pytest.mark.django_db
PERIOD = Period.of(start=date(2026, 11, 1), end=date(2026, 11, 30))


def _rows(table: reports.Table) -> dict[str, list[Any]]:
    return {row[0]: row[1:] for row in table.rows}


@pytest.fixture
def answered(cast: Cast) -> None:
    """Acme (Hindi): four resolutions by Ravi — answered 5, 4, 1 and one unanswered; Bolt: one
    by Lena, answered 3. A resolution in December is outside the period."""
    cast.acme.language = "hi"
    cast.acme.save(update_fields=["language"])
    scores: list[tuple[str, str, int | None]] = [
        ("alice", "ravi", 5),
        ("alice", "ravi", 4),
        ("alice", "ravi", 1),
        ("alice", "ravi", None),
        ("bob", "lena", 3),
    ]
    for n, (who, agent, score) in enumerate(scores):
        ticket = cast.ticket(who=who, subject=f"Problem {n}", at=T0)
        cast.triage(ticket, by=agent, team=cast.team if agent == "ravi" else None)
        resolve(cast, ticket)
        if score is not None:
            survey = Survey.objects.get(ticket=ticket)
            csat.answer_record(survey=survey, score=score, channel=Channel.MAIL, now=RESOLVED)
    late = cast.ticket(subject="December", at=T0)
    resolve(cast, late, at=RESOLVED + timedelta(days=10))


def test_csat_by_each_grouping(cast: Cast, answered: None) -> None:
    def report(by: str) -> dict[str, list[Any]]:
        return _rows(reports.report(user=cast.ada, name=f"csat-{by}", period=PERIOD, now=T0))

    columns = ["surveys", "answers", "response rate %", "CSAT %", "average score", "scores 1–2"]
    assert reports.report(user=cast.ada, name="csat-agent", period=PERIOD, now=T0).columns == [
        "agent",
        *columns,
    ]
    assert report("agent") == {
        "lena@helpline.test": [1, 1, 100.0, 0.0, 3.0, 0],
        "ravi@helpline.test": [4, 3, 75.0, 66.7, 3.33, 1],
    }
    assert report("team") == {
        "(no team)": [1, 1, 100.0, 0.0, 3.0, 0],
        "Support": [4, 3, 75.0, 66.7, 3.33, 1],
    }
    assert report("issue-type") == {"functionality": [5, 4, 80.0, 50.0, 3.25, 1]}
    assert report("merchant")["Acme Retail"] == [4, 3, 75.0, 66.7, 3.33, 1]
    assert report("language") == {
        "en": [1, 1, 100.0, 0.0, 3.0, 0],
        "hi": [4, 3, 75.0, 66.7, 3.33, 1],
    }


def test_a_merchant_sees_their_own_and_no_internal_grouping(cast: Cast, answered: None) -> None:
    names = reports.available(cast.alice)
    assert "csat-merchant" in names and "csat-language" in names
    assert "csat-agent" not in names and "csat-team" not in names
    mine = reports.report(user=cast.alice, name="csat-merchant", period=PERIOD, now=T0)
    assert [row[0] for row in mine.rows] == ["Acme Retail"]


def test_the_csat_report_as_json_csv_and_xlsx(
    cast: Cast, answered: None, django_assert_max_num_queries: Any
) -> None:
    api = cast.api("ravi")
    params = {"start": "2026-11-01", "end": "2026-11-30"}
    assert "csat-language" in api.get("reports").json_body
    # The request's own reads (the token, its user) and the report's one GROUP BY.
    with django_assert_max_num_queries(8):
        res = api.get("reports/csat-agent", **params)
    assert res.status_code == 200 and res.json_body["columns"][0] == "agent"
    csv = api.get("reports/csat-merchant", **params, format="csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "Acme Retail,4,3,75.0,66.7,3.33,1" in csv.content.decode("utf-8-sig")
    xlsx = api.get("reports/csat-language", **params, format="xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[2]][:4] == ["language", "surveys", "answers", "response rate %"]
    assert cast.api("alice").get("reports/csat-agent", **params).status_code == 422
