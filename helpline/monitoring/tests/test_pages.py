"""The uptime pages: public platform status, a store's page for its merchant, the monthly
report (page, CSV, PDF) for merchant and account manager, incidents before a C1."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from helpline.conftest import T0
from helpline.monitoring import services
from helpline.monitoring.models import Outage, PlatformIncident
from helpline.tickets.models import Ticket

NOW = T0 + timedelta(days=3)


@pytest.fixture
def history(cast):
    monitor = services.monitor_create(store=cast.acme_shoes, now=T0 - timedelta(days=60))
    Outage.objects.create(
        monitor=monitor,
        store=cast.acme_shoes,
        started_at=T0,
        confirmed_at=T0,
        ended_at=T0 + timedelta(minutes=90),
        cause="status 503, expected 200",
    )
    return monitor


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_platform_status_page_is_public_and_names_no_store(cast, history):
    PlatformIncident.objects.create(title="Payments slow", started_at=T0)
    with time_machine.travel(NOW, tick=False):
        page = Client().get("/status/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Payments slow" in text and "incident in progress" in text
    assert "Acme Shoes" not in text
    assert text.count('class="day ') == 90


def test_a_merchant_sees_their_stores_uptime_and_not_anothers(cast, history):
    alice = client_for(cast.alice)
    with time_machine.travel(NOW, tick=False):
        page = alice.get(f"/uptime/{cast.acme_shoes.pk}/")
        other = alice.get(f"/uptime/{cast.bolt_gadgets.pk}/")
        listing = alice.get("/uptime/")
    assert other.status_code == 404
    assert page.status_code == 200
    text = page.content.decode()
    assert "<dt>Downtime</dt><dd>1 h 30 min" in text  # this month's downtime, in words
    assert 'class="verdict verdict-broken"><strong class="error">Broken' in text  # 90 > 86.4
    assert text.count("<rect ") == 90  # the 90-day chart, server-rendered
    assert "Bolt Gadgets" not in listing.content.decode()


def test_monthly_report_as_page_csv_and_pdf_for_merchant_and_account_manager(cast, history):
    url = f"/uptime/{cast.acme_shoes.pk}/report/2026-11"
    with time_machine.travel(NOW, tick=False):
        page = client_for(cast.maya).get(url + "/")
        csv = client_for(cast.alice).get(url + ".csv")
        pdf = client_for(cast.alice).get(url + ".pdf")
        bob = client_for(cast.bob).get(url + ".csv")
        weird = client_for(cast.alice).get(url + ".exe")
    assert page.status_code == 200 and "November 2026" in page.content.decode()
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert "2026-11-24,90.00,0.00,0.00,1440.00,93.7500,broken" in lines
    assert "month verdict,broken,broken" in lines  # 90 min down > the 86.4 of November
    assert "month budget_minutes,86.40" in lines
    assert "month remaining_minutes,-3.60" in lines
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert bob.status_code == 404  # not his store
    assert weird.status_code == 404


def test_an_open_platform_incident_is_shown_before_a_c1_is_filed(cast):
    PlatformIncident.objects.create(title="Many stores unreachable (3 of 3)", started_at=T0)
    alice = client_for(cast.alice)
    page = alice.get("/support/new/")
    assert "Many stores unreachable" in page.content.decode()
    form = {
        "store": cast.acme_shoes.pk,
        "subject": "Shop is down",
        "description": "Customers see an error",
        "issue_type": "store-down",
        "priority": "C1",
    }
    held = alice.post("/support/new/", form)
    assert held.status_code == 200 and not Ticket.objects.exists()
    assert "Send anyway" in held.content.decode()
    sent = alice.post("/support/new/", {**form, "confirmed": "on"})
    assert sent.status_code == 302 and Ticket.objects.count() == 1


def test_staff_reach_a_stores_uptime_from_the_console(cast, history):
    from helpline.tickets import services as tickets

    ticket = tickets.ticket_create(
        actor=cast.alice,
        store=cast.acme_shoes,
        subject="Slow",
        description="Pages are slow",
        issue_type="functionality",
    )
    ticket_url = f"/console/t/{ticket.pk}/"
    page = client_for(cast.ravi).get(ticket_url)
    assert f'href="/uptime/{cast.acme_shoes.pk}/"' in page.content.decode()
    assert client_for(cast.ravi).get(f"/uptime/{cast.acme_shoes.pk}/").status_code == 200
    assert client_for(cast.eric).get(f"/uptime/{cast.acme_shoes.pk}/").status_code == 404


def test_the_uptime_list_costs_the_same_queries_for_one_store_or_many(cast, history) -> None:
    """Figures for every listed store come from one batch of reads (an agent sees them all)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from helpline.merchants import services as merchants

    ravi = client_for(cast.ravi)

    def count() -> tuple[int, str]:
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
            page = ravi.get("/uptime/")
        assert page.status_code == 200
        return len(ctx.captured_queries), page.content.decode()

    before, _ = count()
    for i in range(5):
        store = merchants.store_create(
            merchant=cast.acme, name=f"Acme outlet {i}", url=f"https://outlet{i}.example.test"
        )
        services.monitor_create(store=store, now=T0)
    after, text = count()
    assert after == before
    assert "Acme outlet 4" in text
    # The batch gives what the one-store path gives (Acme Shoes' outage still counted).
    from helpline.monitoring import selectors

    one = selectors.store_figures(cast.acme_shoes, kind="month", day=NOW.date(), now=NOW)
    assert one.uptime_percent is not None and one.uptime_percent < 99.8
    assert f"{one.uptime_percent:.3f} % this month" in text


def test_a_store_never_watched_shows_no_percentage_and_a_promise_not_known(cast):
    bob = client_for(cast.bob)
    with time_machine.travel(NOW, tick=False):
        page = bob.get(f"/uptime/{cast.bolt_gadgets.pk}/")
        listing = bob.get("/uptime/")
        csv = bob.get(f"/uptime/{cast.bolt_gadgets.pk}/report/2026-11.csv")
    text = page.content.decode()
    assert text.count("Not watched in this period: there is no uptime figure") == 2  # month, year
    assert "This store is not watched: nobody checks whether it is up." in text
    assert "<dt>Uptime</dt>" not in text and "<dt>Not seen</dt>" not in text  # no figures
    assert "not watched this month, so no uptime figure" in listing.content.decode()
    lines = csv.content.decode().splitlines()
    assert "month uptime_percent," in lines
    assert 'month verdict,not_known,"not known: not watched, no uptime figure"' in lines
