"""Report figures against hand-computed fixtures (business hours Mon–Fri 10:00–18:00 IST).

C3 tickets, first response target 8 business hours:
  A  Wed 25 Nov 10:00 IST → reply 11:00 Wed     business 1 h   calendar 1 h    met
  B  Wed 25 Nov 17:00     → reply 11:00 Thu     business 2 h   calendar 18 h   met
  C  Wed 25 Nov 12:00     → reply 16:00 Wed     business 4 h   calendar 4 h    met
  D  Thu 26 Nov 10:00     → reply 12:00 Fri     business 10 h  calendar 26 h   breached Thu 18:00
Median business = (2 + 4) / 2 = 3 h; p90 business = rank 1 + 0.9 × 3 = 3.7 → 4 + 0.7 × (10 − 4)
= 8.2 h. Calendar: median (4 + 18) / 2 = 11 h; p90 18 + 0.7 × (26 − 18) = 23.6 h.
First response compliance C3: 3 of 4 = 75 %.

A C1 (24×7, first response 2 h, resolution 6 h) filed Saturday 28 Nov 23:00 IST, swept at
Sunday 06:00: first response breached at 01:00, resolution at 05:00 — both at night, both
outside business hours; answered at 03:00 (late: calendar 4 h).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.core.errors import InvalidInput
from helpline.reports import selectors as reports
from helpline.reports.selectors import Period
from helpline.tickets import services, sweeps
from helpline.tickets.models import Ticket

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def ist(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=IST).astimezone(UTC)


def _c3(cast, subject, created, replied=None, store=None, assignee=None):
    ticket = cast.ticket(store=store, subject=subject, description="details", at=created)
    if assignee is not None:
        Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee)  # setup only
    if replied is not None:
        services.ticket_reply(actor=cast.ravi, ticket=ticket, body="Looking", now=replied)
    return ticket


@pytest.fixture
def fixture(cast):
    t = {
        "A": _c3(cast, "A", ist(25, 10), ist(25, 11), assignee=cast.ravi),
        "B": _c3(cast, "B", ist(25, 17), ist(26, 11), assignee=cast.ravi),
        "C": _c3(cast, "C", ist(25, 12), ist(25, 16), store=cast.acme_outlet, assignee=cast.lena),
        "D": _c3(cast, "D", ist(26, 10), ist(27, 12)),
    }
    night = cast.ticket(
        subject="Checkout down",
        description="nobody can pay",
        issue_type="transactions-failing",
        at=ist(28, 23),
    )
    sweeps.clocks_sweep(now=ist(28, 23) + timedelta(hours=7))
    services.ticket_reply(actor=cast.ravi, ticket=night, body="On it", now=ist(29, 3))
    t["night"] = night
    bolt = cast.ticket(who="bob", subject="Bolt's", description="x", at=ist(25, 10))
    services.ticket_reply(
        actor=cast.ravi, ticket=bolt, body="Hi", now=ist(25, 10) + timedelta(minutes=30)
    )
    t["bolt"] = bolt
    return t


PERIOD = Period.of(start=date(2026, 11, 1), end=date(2026, 11, 30))


def _rows(table):
    return {tuple(r[:2]) if table.name == "response-times" else r[0]: r for r in table.rows}


def test_business_and_calendar_medians_and_p90(cast, fixture) -> None:
    table = reports.response_times(user=cast.alice, period=PERIOD)
    c3 = _rows(table)[("C3", "first_response")]
    assert c3[2:] == [4, 3.0, 8.2, 11.0, 23.6]
    c1 = _rows(table)[("C1", "first_response")]
    assert c1[2] == 1
    assert c1[5] == 4.0  # calendar hours, 23:00 → 03:00


def test_compliance_by_priority_counts_the_night_breach(cast, fixture) -> None:
    rows = _rows(reports.compliance(user=cast.alice, period=PERIOD, by="priority", now=NOW))
    assert rows["C3"][1:4] == [3, 1, 75.0]
    # C1: first response and resolution both breached (resolution still open, overdue).
    assert rows["C1"][1:7] == [0, 1, 0.0, 0, 1, 0.0]


def test_staff_see_every_merchant_merchants_their_own(cast, fixture) -> None:
    staff = _rows(reports.compliance(user=cast.ravi, period=PERIOD, by="priority", now=NOW))
    assert staff["C3"][1:3] == [4, 1]  # Bolt's C3, answered in 30 minutes, is met
    bob = _rows(reports.compliance(user=cast.bob, period=PERIOD, by="priority", now=NOW))
    assert set(bob) == {"C3"} and bob["C3"][1:3] == [1, 0]


def test_account_manager_sees_only_the_stores_they_manage(cast, fixture) -> None:
    by_store = _rows(reports.compliance(user=cast.maya, period=PERIOD, by="store", now=NOW))
    assert set(by_store) == {"Acme Shoes"}
    assert by_store["Acme Shoes"][1:3] == [2, 2]  # A, B met; D and the C1 breached


def test_compliance_by_agent_and_month(cast, fixture) -> None:
    by_agent = _rows(reports.compliance(user=cast.ravi, period=PERIOD, by="agent", now=NOW))
    assert by_agent["ravi@helpline.test"][1:4] == [2, 0, 100.0]
    assert by_agent["lena@helpline.test"][1:3] == [1, 0]
    assert by_agent["(unassigned)"][1:3] == [1, 2]
    with pytest.raises(InvalidInput):
        reports.compliance(user=cast.alice, period=PERIOD, by="agent", now=NOW)
    by_month = _rows(reports.compliance(user=cast.ravi, period=PERIOD, by="month", now=NOW))
    assert set(by_month) == {"2026-11"}


def test_breach_causes_name_the_night(cast, fixture) -> None:
    rows = reports.breach_causes(user=cast.ravi, period=PERIOD, now=NOW).rows
    assert ["no reply, unassigned", "C1", 1, 1] in rows  # 01:00 IST Sunday
    assert ["resolution late", "C1", 1, 1] in rows  # 05:00 IST Sunday
    assert ["no reply, unassigned", "C3", 1, 0] in rows  # D: Thu 18:00, the end of the day
    # Assignment is internal: the merchant reads the same breaches as "first reply late".
    merchant = reports.breach_causes(user=cast.alice, period=PERIOD, now=NOW).rows
    assert ["first reply late", "C1", 1, 1] in merchant
    assert not any("unassigned" in str(r[0]) for r in merchant)
    rows = merchant
    # The C3 resolutions (40 business hours) are all overdue by 10 December, none answered.
    assert ["resolution late", "C3", 4, 0] in rows
    listed = reports.breach_list(user=cast.alice, period=PERIOD, now=NOW).rows
    assert {r[0] for r in listed} == {fixture[k].reference for k in ("A", "B", "C", "D", "night")}
    assert len(listed) == 7  # five overdue resolutions, two late first replies


def test_backlog_created_and_resolved_per_day(cast, fixture) -> None:
    services.ticket_resolve(actor=cast.ravi, ticket=fixture["A"], message="done", now=ist(27, 15))
    rows = {r[0]: r for r in reports.backlog(user=cast.alice, period=PERIOD).rows}
    assert rows["2026-11-25"][1:] == [3, 0, 3]
    assert rows["2026-11-26"][1:] == [1, 0, 4]
    assert rows["2026-11-27"][1:] == [0, 1, 3]
    assert rows["2026-11-28"][1:] == [1, 0, 4]
    assert rows["2026-11-30"][3] == 4
    assert len(rows) == 30


def test_satisfaction_ratings(cast, fixture) -> None:
    for key, rating in (("A", 5), ("B", 4), ("C", 2)):
        services.ticket_resolve(
            actor=cast.ravi, ticket=fixture[key], message="done", now=ist(27, 15)
        )
        services.ticket_close(actor=cast.alice, ticket=fixture[key], rating=rating, now=ist(27, 16))
    (row,) = reports.satisfaction(user=cast.alice, period=PERIOD).rows
    assert row == ["2026-11", 3, 3.67, 0, 1, 0, 1, 1]
    assert reports.satisfaction(user=cast.bob, period=PERIOD).rows == []


def test_bad_periods_and_names_are_clear_errors(cast) -> None:
    with pytest.raises(InvalidInput, match="ends before"):
        Period.of(start=date(2026, 2, 1), end=date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="at most"):
        Period.of(start=date(2020, 1, 1), end=date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="between"):
        Period.of(start=date(9999, 12, 30), end=date(9999, 12, 31))
    with pytest.raises(InvalidInput, match="between"):
        Period.of(start=date(1, 1, 1), end=date(1, 1, 2))
    with pytest.raises(InvalidInput, match="time zone"):
        Period.of(start=date(2026, 1, 1), end=date(2026, 1, 2), zone="Mars/Olympus")
    with pytest.raises(InvalidInput, match="unknown report"):
        reports.report(user=cast.ravi, name="nope", period=PERIOD, now=NOW)


def test_reports_run_a_constant_number_of_queries(cast, fixture, django_assert_max_num_queries):
    for name in reports.available(cast.ravi):
        with django_assert_max_num_queries(8):
            reports.report(user=cast.ravi, name=name, period=PERIOD, now=NOW)


def test_months_are_the_viewers_local_months(cast, fixture) -> None:
    # 30 Nov 19:00 UTC is 1 Dec 00:30 in India: December's, for a viewer in IST.
    late = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)
    _c3(cast, "E", late, late + timedelta(minutes=5))
    period = Period.of(start=date(2026, 11, 1), end=date(2026, 12, 31))
    rows = _rows(reports.compliance(user=cast.alice, period=period, by="month", now=NOW))
    assert set(rows) == {"2026-11", "2026-12"}
    assert rows["2026-12"][1] == 1
    utc = Period.of(start=date(2026, 11, 1), end=date(2026, 12, 31), zone="UTC")
    rows = _rows(reports.compliance(user=cast.alice, period=utc, by="month", now=NOW))
    assert set(rows) == {"2026-11"}
