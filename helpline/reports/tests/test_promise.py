"""The "promise kept" report and the guideline's goals beside the SLA targets, against
hand-computed fixtures (business hours Mon–Fri 10:00–18:00 IST; December 2026; the report
runs on 20 December).

Due dates (all tickets Acme's unless said; all in the team "Support"):
  K  ravi  due Fri 4 Dec 18:00, resolved Thu 3 Dec               kept (first), kept (last)
  L  lena  due Wed 2 Dec 18:00, resolved Fri 4 Dec               broken, broken
  M  ravi  due Wed 2 Dec 18:00, moved on the 2nd to Tue 8 Dec 18:00, resolved Mon 7 Dec
                                                                 broken (first), kept (last)
  O  ravi  due Thu 3 Dec 18:00, still open ("ui-design")         broken, broken
  P  lena  Bolt's, due Mon 28 Dec 18:00, open                    pending, pending
  W  lena  due Thu 10 Dec 18:00, withdrawn Wed 2 Dec             not judged
  U  never triaged: no due date                                  not in the report
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.reports import selectors as reports
from helpline.reports.selectors import Period
from helpline.tickets import services
from helpline.tickets.models import Ticket

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
PERIOD = Period.of(start=date(2026, 12, 1), end=date(2026, 12, 31))


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=IST)


def _promised(
    cast: Any, due: datetime, *, who: str = "alice", by: str = "ravi", day: int = 1, **more: Any
) -> Ticket:
    ticket = cast.ticket(who=who, at=ist(day, 10), **more)
    return cast.triage(
        ticket, by=by, at=ist(day, 10, 5), team=cast.team.pk, due_at=due, reason="agreed"
    )


def _resolve(cast: Any, ticket: Ticket, at: datetime) -> None:
    services.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Fixed", now=at)


@pytest.fixture
def promises(cast) -> dict[str, Ticket]:
    t = {
        "K": _promised(cast, ist(4, 18)),
        "L": _promised(cast, ist(2, 18), by="lena"),
        "M": _promised(cast, ist(2, 18)),
        "O": _promised(cast, ist(3, 18), issue_type="ui-design"),
        "P": _promised(cast, ist(28, 18), who="bob", by="lena", day=14),
        "W": _promised(cast, ist(10, 18), by="lena"),
    }
    cast.ticket(at=ist(1, 11))  # U
    _resolve(cast, t["K"], ist(3, 12))
    _resolve(cast, t["L"], ist(4, 12))
    services.ticket_update(
        actor=cast.ravi, ticket=t["M"], due_at=ist(8, 18), reason="more scope", now=ist(2, 12)
    )
    _resolve(cast, t["M"], ist(7, 12))
    services.ticket_withdraw(actor=cast.alice, ticket=t["W"], reason="solved", now=ist(2, 11))
    return t


def _rows(table: reports.Table) -> dict[str, list[Any]]:
    return {r[0]: r[1:] for r in table.rows}


def _report(user: Any, name: str) -> reports.Table:
    return reports.report(user=user, name=name, period=PERIOD, now=NOW)


# (given, first: kept, broken, pending, kept %, last: kept, broken, pending, kept %)
def test_promise_kept_per_agent_against_the_first_and_the_last_due_date(cast, promises) -> None:
    rows = _rows(_report(cast.ravi, "promise-agent"))
    assert rows == {
        "ravi@helpline.test": [3, 1, 2, 0, 33.3, 2, 1, 0, 66.7],
        "lena@helpline.test": [3, 0, 1, 1, 0.0, 0, 1, 1, 0.0],
    }


def test_promise_kept_per_team_issue_type_and_merchant(cast, promises) -> None:
    assert _rows(_report(cast.ravi, "promise-team")) == {
        "Support": [6, 1, 3, 1, 25.0, 2, 2, 1, 50.0]
    }
    by_type = _rows(_report(cast.ravi, "promise-issue-type"))
    assert by_type["ui-design"] == [1, 0, 1, 0, 0.0, 0, 1, 0, 0.0]
    assert by_type["functionality"] == [5, 1, 2, 1, 33.3, 2, 1, 1, 66.7]
    by_merchant = _rows(_report(cast.ravi, "promise-merchant"))
    assert by_merchant == {
        "Acme Retail": [5, 1, 3, 0, 25.0, 2, 2, 0, 50.0],
        "Bolt Electronics": [1, 0, 0, 1, None, 0, 0, 1, None],
    }


def test_a_ticket_reopened_after_its_due_date_is_broken_until_resolved_again(
    cast, promises
) -> None:
    services.ticket_reopen(actor=cast.alice, ticket=promises["K"], now=ist(5, 12))
    assert _rows(_report(cast.ravi, "promise-agent"))["ravi@helpline.test"] == [
        *[3, 0, 3, 0, 0.0],
        *[1, 2, 0, 33.3],
    ]


def test_merchants_see_their_own_promises_and_no_agents_or_teams(cast, promises) -> None:
    names = reports.available(cast.alice)
    assert "promise-merchant" in names and "promise-issue-type" in names
    assert "promise-agent" not in names and "promise-team" not in names
    assert _rows(_report(cast.bob, "promise-merchant")) == {
        "Bolt Electronics": [1, 0, 0, 1, None, 0, 0, 1, None]
    }
    with pytest.raises(reports.InvalidInput, match="only staff"):
        _report(cast.alice, "promise-team")


def test_the_promise_report_runs_one_query_however_many_tickets(cast, promises) -> None:
    for name in ("promise-agent", "promise-team", "promise-issue-type", "promise-merchant"):
        # One SELECT (the GROUP BY); besides it only report()'s savepoint and, on PostgreSQL,
        # its SET LOCALs.
        with CaptureQueriesContext(connection) as ran:
            assert _report(cast.ravi, name).rows
        selects = [q for q in ran.captured_queries if q["sql"].lstrip().startswith("SELECT")]
        assert len(selects) == 1, selects
        assert len(ran.captured_queries) <= 5


# ---------------------------------------------------------------- goals beside targets


def _c1(cast: Any, hours: float) -> None:
    ticket = cast.ticket(at=ist(1, 10), issue_type="reports-no-data", priority="C1")
    at = datetime.fromtimestamp(ist(1, 10).timestamp() + hours * 3600, tz=UTC)
    services.ticket_workaround(actor=cast.ravi, ticket=ticket, message="Try this", now=at)


def _c4(cast: Any, resolved: datetime) -> None:
    ticket = cast.ticket(at=ist(1, 10), issue_type="feature-request")
    assert ticket.priority == "C4"
    _resolve(cast, ticket, resolved)


def test_goals_beside_targets_in_sla_compliance(cast) -> None:
    _c1(cast, 1.5)  # within the 2 h goal
    _c1(cast, 4)  # within the 6 h target only
    _c1(cast, 7)  # breached
    _c4(cast, ist(3, 18))  # 24 business hours: within the goal (40)
    _c4(cast, ist(10, 18))  # 64 business hours: within the target (80) only
    table = _report(cast.ravi, "compliance-priority")
    assert table.columns[-6:] == [
        "C1 workaround (goal 2 h): judged",
        "C1 workaround (goal 2 h): met target %",
        "C1 workaround (goal 2 h): met goal %",
        "C4 resolution (goal 5 business days): judged",
        "C4 resolution (goal 5 business days): met target %",
        "C4 resolution (goal 5 business days): met goal %",
    ]
    rows = _rows(table)
    assert rows["C1"][-6:] == [3, 66.7, 33.3, 0, None, None]
    assert rows["C4"][-6:] == [0, None, None, 2, 100.0, 50.0]
    assert rows["C2"][-6:] == [0, None, None, 0, None, None]  # the C2s the workarounds began
    by_month = _rows(_report(cast.ravi, "compliance-month"))
    assert by_month["2026-12"][-6:] == [3, 66.7, 33.3, 2, 100.0, 50.0]


def test_the_promise_and_compliance_endpoints_as_json_csv_and_xlsx(
    cast, promises, django_assert_max_num_queries
) -> None:
    api = cast.api("ravi")
    params = {"start": "2026-12-01", "end": "2026-12-31"}
    assert "promise-team" in api.get("reports").json_body
    # The request's own reads (the token, its user) and the report's one GROUP BY.
    with django_assert_max_num_queries(8):
        res = api.get("reports/promise-agent", **params)
    assert res.status_code == 200
    assert res.json_body["columns"][:3] == ["agent", "given a due date", "kept (first due date)"]
    csv = api.get("reports/promise-merchant", **params, format="csv")
    assert csv["Content-Type"].startswith("text/csv") and b"Acme Retail,5,1,3,0,25.0" in csv.content
    xlsx = api.get("reports/compliance-priority", **params, format="xlsx")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[2]]
    assert "C1 workaround (goal 2 h): met goal %" in header
    refused = cast.api("alice").get("reports/promise-agent", **params)
    assert refused.status_code == 422
