"""Probes against local aiohttp stores that the tests take down and bring back. ``now`` is
passed to every round (time-machine does not move asyncio's clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from helpline.conftest import T0
from helpline.monitoring import engine, selectors, services
from helpline.monitoring.models import BlindSpan, Monitor, Outage, PlatformIncident, StateChange
from helpline.monitoring.probe import Policy
from helpline.monitoring.tests.sites import StubResolver
from helpline.outbox.models import Outbox
from helpline.tickets.models import Ticket, TicketEvent, TicketMessage

pytestmark = pytest.mark.usefixtures("loopback")
S = timedelta(seconds=1)
M = timedelta(minutes=1)


def step(at):
    return engine.probe_step(now=at, worker="test")


def watch(store, url, at=T0):
    return services.monitor_create(store=store, url=url, now=at)


def run_until_confirmed(at, rounds):
    """``rounds`` rounds, each when the monitor falls due (5 s apart while suspect)."""
    times = []
    for _ in range(rounds):
        times.append(at)
        step(at)
        at += 5 * S
    return times


def test_one_outage_one_ticket_and_recovery_closes_it_at_the_right_instant(cast, site):
    from helpline.outbox.models import OnCallOverride

    # Ravi is on call (T0 is 10:30 IST on a working day: business hours, still told at once).
    OnCallOverride.objects.create(user=cast.ravi, starts_at=T0, ends_at=T0 + 8 * 60 * M)
    # A former merchant user whose login was switched off hears nothing.
    from helpline.accounts import services as accounts

    gone = accounts.user_create(email="gone@acme.test", role="merchant", merchant_id=cast.acme.pk)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    monitor = watch(cast.acme_shoes, site.url)
    assert step(T0).summary.failures == 0
    monitor.refresh_from_db()
    assert monitor.state == "up" and monitor.next_probe_at == T0 + 60 * S

    site.down()
    t1 = T0 + 60 * S
    step(t1)
    monitor.refresh_from_db()
    assert monitor.state == "suspect" and monitor.next_probe_at == t1 + 5 * S
    assert not Ticket.objects.exists()
    step(t1 + 5 * S)
    result = step(t1 + 10 * S)
    assert result.summary.outages_opened == 1
    outage = Outage.objects.get()
    assert outage.started_at == t1  # the first failed probe of the confirmed outage
    assert outage.confirmed_at == t1 + 10 * S and outage.ended_at is None
    ticket = Ticket.objects.get()
    assert (ticket.priority, ticket.issue_type, ticket.channel) == ("C1", "store-down", "monitor")
    assert ticket.requester is None and ticket.store == cast.acme_shoes
    # Merchant, account manager (and on call) hear of it through the outbox.
    assert {"alice@acme.test", "maya@helpline.test", "ravi@helpline.test"} <= set(
        Outbox.objects.filter(ticket_id=ticket.pk, channel="email").values_list(
            "recipient", flat=True
        )
    )
    assert not Outbox.objects.filter(recipient="gone@acme.test").exists()

    # Still down a minute later: no second ticket, no second outage.
    step(t1 + 70 * S)
    assert Ticket.objects.count() == 1 and Outage.objects.count() == 1

    site.up()
    t5 = t1 + 130 * S
    step(t5)
    monitor.refresh_from_db()
    assert monitor.state == "recovering"
    assert Outage.objects.get().ended_at is None  # not confirmed yet
    result = step(t5 + 5 * S)
    assert result.summary.outages_closed == 1
    outage.refresh_from_db()
    assert outage.ended_at == t5  # the first success of the confirmed recovery
    ticket.refresh_from_db()
    assert ticket.status == "new"  # staff resolve
    note = TicketMessage.objects.filter(ticket=ticket, kind="system").get()
    assert "reaches" in note.body and not note.internal
    assert TicketEvent.objects.filter(ticket=ticket, kind="monitor").count() == 1
    told = Outbox.objects.filter(ticket_id=ticket.pk, kind="monitor", channel="email")
    assert {"alice@acme.test", "maya@helpline.test"} <= set(
        told.values_list("recipient", flat=True)
    )
    assert "reaches" in told.filter(recipient="alice@acme.test").get().payload["body"]
    assert list(StateChange.objects.values_list("after", flat=True).order_by("at", "pk")) == [
        "up",
        "suspect",
        "down",
        "recovering",
        "up",
    ]
    figures = selectors.store_figures(cast.acme_shoes, kind="day", day=T0.date(), now=t5 + 10 * M)
    assert figures.downtime_minutes == pytest.approx((t5 - t1).total_seconds() / 60)


def step_when_due(monitor):
    """One round at the instant the monitor next falls due."""
    monitor.refresh_from_db()
    step(monitor.next_probe_at)
    monitor.refresh_from_db()
    return monitor


def test_a_flapping_store_does_not_open_a_ticket_per_flap(cast, site):
    monitor = watch(cast.acme_shoes, site.url)
    step_when_due(monitor)
    for _ in range(5):  # one failure, then fine again: never confirmed
        site.status = 503
        assert step_when_due(monitor).state == "suspect"
        site.status = 200
        assert step_when_due(monitor).state == "up"
    assert not Outage.objects.exists() and not Ticket.objects.exists()
    # Confirmed twice (down, up, down again) before staff resolve: one ticket, two outages.
    for _ in range(2):
        site.status = 503
        for _ in range(3):
            step_when_due(monitor)
        assert monitor.state == "down"
        site.status = 200
        for _ in range(2):
            step_when_due(monitor)
        assert monitor.state == "up"
    assert Outage.objects.count() == 2
    assert Ticket.objects.count() == 1
    assert Outage.objects.filter(ticket__isnull=False).values("ticket").distinct().count() == 1
    ticket = Ticket.objects.get()
    assert TicketEvent.objects.filter(ticket=ticket, kind="monitor").count() == 3  # up, down, up


def test_time_the_monitor_was_not_running_stays_unknown(cast, site):
    monitor = watch(cast.acme_shoes, site.url)
    step(T0)
    # While the worker is away, the figures already say unknown (not up).
    away = selectors.store_figures(cast.acme_shoes, kind="day", day=T0.date(), now=T0 + 30 * M)
    before = selectors.store_figures(cast.acme_shoes, kind="day", day=T0.date(), now=T0)
    assert away.unknown_minutes - before.unknown_minutes == pytest.approx(29)
    # The worker stops for an hour; when it comes back the store is fine.
    later = T0 + 60 * M
    step(later)
    span = BlindSpan.objects.get()
    assert (span.started_at, span.ended_at) == (T0 + M, later)
    figures = selectors.store_figures(cast.acme_shoes, kind="day", day=T0.date(), now=later)
    assert figures.unknown_minutes >= 59  # also the part of the day before the first probe
    assert figures.downtime_minutes == 0
    monitor.refresh_from_db()
    assert monitor.state == "up"


def test_blindness_inside_an_outage_is_not_downtime(cast, site):
    watch(cast.acme_shoes, site.url)
    step(T0)
    site.down()
    t1 = T0 + M
    run_until_confirmed(t1, 3)
    # The worker is away for an hour while the store is down; it is still down afterwards,
    # then recovers.
    back = t1 + 10 * S + 60 * M
    step(back)
    site.up()
    step(back + M)
    step(back + M + 5 * S)
    outage = Outage.objects.get()
    assert outage.ended_at == back + M
    figures = selectors.store_figures(cast.acme_shoes, kind="day", day=T0.date(), now=back + 2 * M)
    blind = (back - (t1 + 10 * S + M)).total_seconds() / 60  # from the expected probe on
    assert figures.downtime_minutes == pytest.approx((back + M - t1).total_seconds() / 60 - blind)


def test_a_round_where_nothing_answers_is_ours_not_the_stores(cast, site):
    with override_settings(MONITOR_BLIND_ROUND_MIN=3):
        for store in (cast.acme_shoes, cast.acme_outlet, cast.bolt_gadgets):
            watch(store, site.url)
        step(T0)
        site.down()  # as if Helpline's own network were gone: no store answers at all
        for i in range(1, 6):
            step(T0 + i * M)
    assert not Outage.objects.exists() and not Ticket.objects.exists()
    assert set(Monitor.objects.values_list("state", flat=True)) == {"up"}
    assert BlindSpan.objects.count() == 3  # one growing span per monitor
    span = BlindSpan.objects.order_by("pk")[0]
    assert (span.started_at, span.ended_at) == (T0 + M, T0 + 6 * M)


def test_a_failed_control_target_makes_the_round_unknown(cast, site):
    watch(cast.acme_shoes, site.url)
    step(T0)
    site.status = 500
    with override_settings(MONITOR_CONTROL_URL=f"http://127.0.0.1:{site.port}/control"):
        for i in range(1, 5):
            step(T0 + i * M)
    assert not Outage.objects.exists()
    assert BlindSpan.objects.get().reason.startswith("Helpline's own network")


def test_private_addresses_are_refused_also_after_a_redirect(cast, site):
    resolver = StubResolver(
        {
            "shop.example": ["127.0.0.1"],
            "intranet.example": ["10.20.30.40"],
            "metadata.example": ["169.254.169.254"],
        }
    )
    direct = watch(cast.acme_shoes, "http://intranet.example/")
    linklocal = watch(cast.acme_outlet, "http://metadata.example/")
    redirected = watch(
        cast.bolt_gadgets,
        f"http://shop.example:{site.port}/moved?to=http://intranet.example/",
    )
    engine.probe_step(now=T0, worker="test", resolver=resolver, policy=Policy(allow_loopback=True))
    for monitor in (direct, linklocal, redirected):
        monitor.refresh_from_db()
        assert "not allowed" in monitor.last_error, monitor.last_error
        # A configuration error, not the store's failure: the state does not move (issue 21).
        assert monitor.state == "new"
    assert site.hits == 1  # the first hop only; nothing was sent to 10.20.30.40


def test_many_stores_down_at_once_open_one_platform_incident(cast, sites):
    stores = (cast.acme_shoes, cast.acme_outlet, cast.bolt_gadgets)
    for store, s in zip(stores, sites, strict=True):
        watch(store, s.url)
    step(T0)
    for s in sites:
        s.down()
    run_until_confirmed(T0 + M, 3)
    assert Ticket.objects.count() == 3
    incident = PlatformIncident.objects.get()
    assert incident.started_at == T0 + M
    assert set(incident.links.values_list("ticket_id", flat=True)) == set(
        Ticket.objects.values_list("pk", flat=True)
    )
    assert selectors.open_incidents() == [incident]
    for s in sites:
        s.up()
    at = T0 + 2 * M + 10 * S  # due a minute after the outage was confirmed
    step(at)
    step(at + 5 * S)
    incident.refresh_from_db()
    assert incident.resolved_at == at + 5 * S
    assert selectors.open_incidents() == []


@pytest.mark.pure
def test_a_probe_waiting_for_its_turn_does_not_time_out(site):
    """The timeout runs from when a probe starts, not from when the round started: four probes
    of 0.15 s one at a time take 0.6 s, more than the 0.4 s timeout, and all succeed."""
    import asyncio

    from helpline.monitoring.probe import Target, probe_all

    site.delay = 0.15
    targets = [Target(i, site.url, timeout=0.4) for i in range(1, 5)]
    outcomes = asyncio.run(probe_all(targets, policy=Policy(allow_loopback=True), concurrency=1))
    assert [o.ok for o in outcomes] == [True] * 4, outcomes


def test_failures_on_both_sides_of_a_blind_hour_are_not_in_a_row(cast, site):
    monitor = watch(cast.acme_shoes, site.url)
    step(T0)
    site.status = 503
    step(T0 + M)  # suspect: one failure
    back = T0 + 61 * M  # the worker was away for an hour
    step(back)
    step(back + 5 * S)
    monitor.refresh_from_db()
    assert monitor.state == "suspect" and monitor.first_failure_at == back
    step(back + 10 * S)
    outage = Outage.objects.get()
    assert outage.started_at == back  # not T0 + 1 min, before the blind hour
