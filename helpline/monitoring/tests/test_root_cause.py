"""Root-cause reports as a promise (decision 0229): owed by every platform incident and every
store outage over 15 minutes, due in five business days on the SLA calendar, their owner told at
75 % and at the breach, written in Markdown (sanitised), published on the status page and on
the incident's tickets, counted kept / late / open on the SLA report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings

from helpline.conftest import T0
from helpline.monitoring import root_cause, status_changes, storm
from helpline.monitoring import services as monitoring
from helpline.monitoring.models import Outage, RootCauseReport
from helpline.outbox.models import OnCallOverride, Outbox
from helpline.reports import selectors as reports
from helpline.subscriptions import services as subscriptions
from helpline.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db
M = timedelta(minutes=1)
BASE = "https://help.example.test"
# T0 is Tue 24 Nov 2026 10:30 IST, Guru Nanak's day (a holiday): the five business days (8 h
# each, 10:00–18:00 IST, Mon–Fri) run Wed 25, Thu 26, Fri 27, Mon 30 Nov and Tue 1 Dec.
DUE = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)  # Tue 1 Dec 18:00 IST
WARN = datetime(2026, 11, 30, 10, 30, tzinfo=UTC)  # Mon 30 Nov 16:00 IST: 30 of 40 hours


@pytest.fixture(autouse=True)
def _settings() -> Any:
    with override_settings(BASE_URL=BASE, SUPPORT_ADDRESS="Helpline <support@helpline.test>"):
        yield


@pytest.fixture
def on_call(cast: Any) -> Any:
    OnCallOverride.objects.create(user=cast.ravi, starts_at=T0 - M, ends_at=T0 + 60 * M)
    return cast.ravi


def test_an_incident_owes_a_report_due_in_five_business_days(cast: Any, on_call: Any) -> None:
    incident = monitoring.incident_open(title="Checkout down", now=T0)
    report = RootCauseReport.objects.get(incident=incident)
    assert (report.owed_at, report.warn_at, report.due_at) == (T0, WARN, DUE)
    assert report.owner == on_call
    assert root_cause.owe_for_incident(incident, now=T0 + M).pk == report.pk  # owed once


def test_the_owner_can_be_the_team_lead(cast: Any, on_call: Any) -> None:
    with override_settings(ROOT_CAUSE_OWNER="lead"):
        incident = monitoring.incident_open(title="Checkout down", now=T0)
    assert RootCauseReport.objects.get(incident=incident).owner == cast.lena


def _outage(cast: Any, minutes: int, *, incident: Any = None) -> Outage:
    monitor = monitoring.monitor_create(
        store=cast.acme_shoes, url="https://shoes.acme.test", now=T0
    )
    ticket = cast.ticket(subject="Store down", priority="C1")
    with transaction.atomic():
        outage = Outage.objects.create(
            monitor=monitor,
            store=cast.acme_shoes,
            started_at=T0,
            confirmed_at=T0,
            ended_at=T0 + minutes * M,
            ticket=ticket,
            incident=incident,
        )
        status_changes.outage_ended(outage, now=T0 + minutes * M)
    return outage


def test_only_a_store_outage_over_15_minutes_owes_one(cast: Any) -> None:
    short = _outage(cast, 15)
    assert not RootCauseReport.objects.filter(outage=short).exists()
    long = _outage(cast, 16)
    report = RootCauseReport.objects.get(outage=long)
    assert report.owed_at == T0 + 16 * M
    assert report.owner == cast.lena  # nobody on call: the team lead
    assert report.title == "Store outage: Acme Shoes"


def test_the_owner_is_told_at_75_percent_and_at_the_breach_once_each(
    cast: Any, on_call: Any
) -> None:
    monitoring.incident_open(title="Checkout down", now=T0)
    assert root_cause.root_cause_sweep(now=WARN - M) == 0
    assert root_cause.root_cause_sweep(now=WARN) == 1
    assert root_cause.root_cause_sweep(now=WARN + M) == 0
    root_cause.root_cause_sweep(now=DUE + M)
    root_cause.root_cause_sweep(now=DUE + 2 * M)
    told = Outbox.objects.filter(kind__startswith="root_cause").order_by("pk")
    assert [(r.kind, r.recipient) for r in told] == [
        ("root_cause_due", "ravi@helpline.test"),
        ("root_cause_late", "ravi@helpline.test"),
    ]
    assert "Tue 1 Dec 2026, 18:00 IST" in told[0].payload["subject"]


def test_nobody_owning_it_tells_the_admins_and_a_published_one_nobody(cast: Any) -> None:
    cast.team.lead = None  # nobody on call and no lead
    cast.team.save(update_fields=["lead"])
    monitoring.incident_open(title="Checkout down", now=T0)
    root_cause.root_cause_sweep(now=WARN)
    assert list(
        Outbox.objects.filter(kind="root_cause_due").values_list("recipient", flat=True)
    ) == ["ada@helpline.test"]
    report = RootCauseReport.objects.get()
    root_cause.root_cause_publish(report=report, body="A disk filled.", actor=cast.ravi, now=WARN)
    assert root_cause.root_cause_sweep(now=DUE + M) == 0


HOSTILE = """## What happened

The gateway's certificate expired. <script>alert(1)</script>
<iframe src="https://evil.test"></iframe>
[details](javascript:alert(1)) and [the vendor](https://vendor.test/notice)
"""


def test_publishing_sanitises_and_tells_the_tickets_and_the_subscribers(
    cast: Any, on_call: Any
) -> None:
    subscriptions.subscribe_user(user=cast.bob, store_id=None, channel="email")
    incident = monitoring.incident_open(title="Checkout down", now=T0)
    ticket = cast.ticket(subject="Checkout fails", priority="C1")
    storm.link(incident, ticket, now=T0)
    monitoring.incident_resolve(incident=incident, now=T0 + 30 * M)
    report = RootCauseReport.objects.get()
    root_cause.root_cause_publish(report=report, body=HOSTILE, actor=cast.ravi, now=T0 + 60 * M)
    report.refresh_from_db()
    assert "<h2>What happened</h2>" in report.html
    for bad in ("<script", "<iframe", "javascript:", "alert(1)</script"):
        assert bad not in report.html
    assert 'href="https://vendor.test/notice"' in report.html
    event = TicketEvent.objects.get(ticket=ticket, kind="root_cause")
    url = f"{BASE}/status/root-cause/{report.pk}/"
    assert event.public and event.after == {
        "report": report.pk,
        "title": "Checkout down",
        "url": url,
    }
    heard = Outbox.objects.filter(kind="root_cause", recipient="alice@acme.test", channel="email")
    assert "root-cause report of “Checkout down” is published" in heard.get().payload["body"]
    told = Outbox.objects.get(kind="status_root_cause")
    assert told.recipient == "bob@bolt.test" and url in told.payload["body"]
    alice = Client()
    alice.force_login(cast.alice)
    shown = alice.get(f"/support/t/{ticket.pk}/").content.decode()
    assert "Root cause explained" in shown and url in shown
    # the public page and the status page's link
    page = Client().get(f"/status/root-cause/{report.pk}/")
    assert page.status_code == 200 and "certificate expired" in page.content.decode()
    assert f"/status/root-cause/{report.pk}/" in Client().get("/status/").content.decode()


def test_an_empty_report_is_refused_and_nothing_is_published(cast: Any) -> None:
    monitoring.incident_open(title="Checkout down", now=T0)
    client = Client()
    client.force_login(cast.ravi)
    report = RootCauseReport.objects.get()
    answer = client.post(f"/console/root-causes/{report.pk}/", {"body": "   "})
    assert answer.status_code == 422 and "write the root cause" in answer.content.decode()
    assert RootCauseReport.objects.get().published_at is None
    assert Client().get(f"/status/root-cause/{report.pk}/").status_code == 404  # unpublished
    assert (
        client.post(f"/console/root-causes/{report.pk}/", {"body": "Disk full."}).status_code == 302
    )
    assert RootCauseReport.objects.get().published_at is not None


def test_merchants_cannot_write_one(cast: Any) -> None:
    monitoring.incident_open(title="Checkout down", now=T0)
    client = Client()
    client.force_login(cast.alice)
    report = RootCauseReport.objects.get()
    assert client.get("/console/root-causes/").status_code == 404
    assert client.post(f"/console/root-causes/{report.pk}/", {"body": "x"}).status_code == 404
    # Nor an engineer or an account manager who does not own it: agents and admins write them.
    for who in (cast.eric, cast.maya):
        if report.owner_id == who.pk:
            continue
        staff = Client()
        staff.force_login(who)
        assert staff.get("/console/root-causes/").status_code == 404
        assert staff.post(f"/console/root-causes/{report.pk}/", {"body": "x"}).status_code == 404
    assert RootCauseReport.objects.get().published_at is None


def test_a_store_outages_report_is_for_who_sees_the_store(cast: Any) -> None:
    outage = _outage(cast, 30)
    report = RootCauseReport.objects.get(outage=outage)
    root_cause.root_cause_publish(report=report, body="DNS.", actor=cast.ravi, now=T0 + 60 * M)
    url = f"/status/root-cause/{report.pk}/"
    assert Client().get(url).status_code == 404
    bob, alice = Client(), Client()
    bob.force_login(cast.bob)
    alice.force_login(cast.alice)
    assert bob.get(url).status_code == 404
    assert alice.get(url).status_code == 200
    assert TicketEvent.objects.filter(ticket=outage.ticket, kind="root_cause").count() == 1


def test_the_sla_report_counts_kept_late_and_open(cast: Any) -> None:
    kept = monitoring.incident_open(title="One", now=T0)
    late = monitoring.incident_open(title="Two", now=T0)
    monitoring.incident_open(title="Three", now=T0)
    _outage(cast, 20)  # unpublished and past due at the report's now: late
    for incident, at in ((kept, DUE - M), (late, DUE + M)):
        root_cause.root_cause_publish(
            report=RootCauseReport.objects.get(incident=incident), body="x", actor=cast.ravi, now=at
        )
    period = reports.Period.of(start=date(2026, 11, 1), end=date(2026, 11, 30))
    table = reports.report(user=cast.ravi, name="root-causes", period=period, now=DUE - M)
    assert table.rows == [
        ["platform incident", 3, 1, 1, 1, 50.0],
        ["store outage", 1, 0, 0, 1, None],
    ]
    later = reports.report(user=cast.ravi, name="root-causes", period=period, now=DUE + 2 * M)
    assert later.rows[1] == ["store outage", 1, 0, 1, 0, 0.0]
    assert "root-causes" not in reports.available(cast.alice)
