"""A storm (issue 18): many stores down in the same minute while the control target answers are
one platform incident — every store-down ticket and every C1 of the storm linked to it, each
merchant told with the status page's address, the on-call paged once — and its recovery posts
one public update on each linked ticket, which meets their first response. Stores and the
control target are local aiohttp servers; mail goes to a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings

from helpline import worker
from helpline.accounts import services as accounts
from helpline.conftest import T0
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail
from helpline.merchants import services as merchants
from helpline.monitoring import engine, storm
from helpline.monitoring.models import IncidentTicket, Outage, PlatformIncident
from helpline.monitoring.tests.sites import LocalSite
from helpline.notifications import paging
from helpline.outbox.conftest import smtp  # noqa: F401 - the real SMTP server (a fixture)
from helpline.outbox.models import OnCallOverride, Outbox
from helpline.tickets.models import Ticket, TicketClock, TicketEvent, TicketMessage

S = timedelta(seconds=1)
M = timedelta(minutes=1)
STORES = 30
PAGE = paging.PLATFORM_INCIDENT


@pytest.fixture
def shops() -> Iterator[tuple[LocalSite, LocalSite]]:
    """One local server for every store (a path each) and one for the control target."""
    stores, control = LocalSite().up(), LocalSite().up()
    with override_settings(
        MONITOR_ALLOW_LOOPBACK=True,
        MONITOR_CONTROL_URL=control.url + "control",
        SUPPORT_ADDRESS="Helpline <support@helpline.test>",
        BASE_URL="https://help.example.test",
    ):
        yield stores, control
    stores.close()
    control.close()


@pytest.fixture
def fleet(cast: Any, shops: tuple[LocalSite, LocalSite]) -> list[Any]:
    """30 merchants, each with one user and one watched store; Ravi on call all day."""
    from helpline.monitoring import services

    OnCallOverride.objects.create(user=cast.ravi, starts_at=T0 - M, ends_at=T0 + 24 * 60 * M)
    site = shops[0]
    stores = []
    for n in range(STORES):
        merchant = merchants.merchant_create(name=f"Shop {n}", slug=f"shop-{n}", now=T0)
        accounts.user_create(
            email=f"owner{n}@shop{n}.test", role="merchant", merchant_id=merchant.pk
        )
        store = merchants.store_create(
            merchant=merchant, name=f"Store {n}", url=f"https://s{n}.shop.test", now=T0
        )
        services.monitor_create(store=store, url=f"{site.url}s{n}", now=T0)
        stores.append(store)
    engine.probe_step(now=T0, worker="test")  # every store up
    return stores


def rounds(start: Any, count: int = 3) -> Any:
    """``count`` rounds 5 s apart (suspect monitors are probed again at once); the last instant."""
    at = start
    for n in range(count):
        at = start + 5 * n * S
        engine.probe_step(now=at, worker="test")
    return at


def pages() -> list[Outbox]:
    return list(Outbox.objects.filter(kind=PAGE))


def test_thirty_stores_down_in_one_minute_are_one_incident_one_page_every_ticket_linked(
    cast, fleet, shops
):
    shops[0].status = 503
    confirmed = rounds(T0 + M)
    incident = PlatformIncident.objects.get()
    # Recognised in the round of the first failures, before any outage was confirmed: on the
    # status page and the on-call paged within seconds, not after three failed probes each.
    assert incident.started_at == T0 + M and incident.paged_at == T0 + M < confirmed
    tickets = list(Ticket.objects.filter(issue_type="store-down"))
    assert len(tickets) == STORES
    linked = set(IncidentTicket.objects.values_list("ticket_id", flat=True))
    assert linked == {t.pk for t in tickets}
    assert Outage.objects.filter(incident=incident).count() == STORES
    # The on-call is paged once, for the incident: no page of a store's own.
    (page,) = pages()
    assert page.recipient == "ravi@helpline.test"
    assert "30 of 30" in page.payload["body"]
    assert not Outbox.objects.filter(recipient="ravi@helpline.test", kind="created").exists()
    # Nor a mail for each of the storm's assignments (they are in the console's queues).
    assert TicketEvent.objects.filter(kind="assignee").exists()
    assert not Outbox.objects.filter(kind="assignee").exists()
    # Each merchant is acknowledged once, with the incident and the status page.
    for n in range(STORES):
        (ack,) = Outbox.objects.filter(recipient=f"owner{n}@shop{n}.test")
        assert ack.kind == "created"
        assert "platform incident" in ack.payload["body"]
        assert "https://help.example.test/status/" in ack.payload["body"]
    # The next round sees the same storm: nothing new.
    rounds(confirmed + M, 1)
    assert PlatformIncident.objects.count() == 1 and len(pages()) == 1


def test_the_status_page_shows_the_incident(client, fleet, shops):
    shops[0].status = 503
    rounds(T0 + M)
    incident = PlatformIncident.objects.get()
    page = client.get("/status/").content.decode()
    assert incident.title in page


def test_stores_that_fell_before_the_storm_was_recognised_join_it_and_their_pages_are_dropped(
    cast,
    fleet,
    shops,
    smtp,  # noqa: F811 - the fixture imported above
):
    site = shops[0]
    with override_settings(MONITOR_INCIDENT_MIN_STORES=10):
        # Five stores fall first: below the threshold, five tickets with held pages.
        early = fleet[:5]
        for store in fleet[5:]:
            store.monitors.update(next_probe_at=T0 + 10 * M)  # not probed in this minute
        site.status = 503
        first = rounds(T0 + M)
        assert PlatformIncident.objects.count() == 0
        held = list(Outbox.objects.filter(recipient="ravi@helpline.test", kind="created"))
        assert len(held) == 5
        assert all(r.due_at == first + 60 * S and r.payload["unless_answered"] for r in held)
        # The other 25 fall 30 s later: a storm; the five join it.
        for store in fleet[5:]:
            store.monitors.update(next_probe_at=first + 30 * S)
        rounds(first + 30 * S)
    incident = PlatformIncident.objects.get()
    assert IncidentTicket.objects.filter(incident=incident).count() == STORES
    joined = TicketEvent.objects.filter(kind="platform_incident", after__at_opening=False)
    assert {e.ticket.store_id for e in joined} == {s.pk for s in early}
    # Delivered when they fall due: the held pages are dropped, one page for the incident.
    worker.run_once(now=first + 61 * S)
    to_ravi = [m["Subject"] for m in smtp.messages if m["To"] == "ravi@helpline.test"]
    assert [s for s in to_ravi if s.startswith("Platform incident")] == [
        f"Platform incident: {incident.title}"
    ]
    for row in Outbox.objects.filter(pk__in=[r.pk for r in held]):
        assert row.state == "done" and row.last_error.startswith("not sent")
    # The five early merchants were told their ticket joined the incident.
    told = {m["To"] for m in smtp.messages if "platform incident" in m.get_content().lower()}
    assert {f"owner{n}@shop{n}.test" for n in range(5)} <= told


def test_a_c1_mail_and_a_portal_c1_during_the_storm_are_linked_and_acknowledged_with_it(
    cast, fleet, shops
):
    shops[0].status = 503
    before = cast.ticket(priority="C1", issue_type="functionality", at=T0 + 30 * S)
    confirmed = rounds(T0 + M)
    incident = PlatformIncident.objects.get()
    # Filed half a minute before the probes saw the first store fall: the storm's too.
    assert IncidentTicket.objects.get(ticket=before).incident == incident
    raw = mail(sender="alice@acme.test", subject="SYSTEM DOWN - nobody can buy")
    mail_ingest(raw, source="cli", now=confirmed + 10 * S)
    by_mail = Ticket.objects.get(channel="email")
    portal = cast.ticket(priority="C1", issue_type="functionality", at=confirmed + 20 * S)
    for ticket, via in ((by_mail, "email"), (portal, "api")):
        link = IncidentTicket.objects.get(ticket=ticket)
        assert link.incident == incident and link.via == via
    (ack,) = Outbox.objects.filter(kind="mail_ack")
    assert incident.title in ack.payload["body"]
    assert "https://help.example.test/status/" in ack.payload["body"]
    # Alice hears of her mail ticket once (the acknowledgement); nobody is paged for either.
    assert Outbox.objects.filter(recipient="alice@acme.test", ticket_id=by_mail.pk).count() == 1
    assert len(pages()) == 1
    assert not Outbox.objects.filter(kind="c1_unanswered").exclude(ticket_id=before.pk).exists()
    # The one filed before the storm was recognised: its escalation is dropped when it falls due.
    from helpline.notifications import conditions

    assert conditions.answered(before.pk)


def test_recovery_resolves_the_incident_and_posts_one_update_that_meets_first_response(
    cast, fleet, shops
):
    site = shops[0]
    site.status = 503
    confirmed = rounds(T0 + M)
    portal = cast.ticket(priority="C1", issue_type="functionality", at=confirmed + 20 * S)
    incident = PlatformIncident.objects.get()
    site.status = 200
    back = confirmed + M
    recovered = rounds(back, 2)
    incident.refresh_from_db()
    assert incident.resolved_at == recovered
    linked = list(Ticket.objects.filter(pk__in=IncidentTicket.objects.values("ticket_id")))
    assert len(linked) == STORES + 1 and portal in linked
    assert not IncidentTicket.objects.filter(updated_at__isnull=True).exists()
    for ticket in linked:
        (update,) = TicketMessage.objects.filter(ticket=ticket, from_staff=True, internal=False)
        assert "is resolved" in update.body and "/status/" in update.body
        clock = TicketClock.objects.get(
            ticket=ticket, kind="first_response", superseded_at__isnull=True
        )
        assert clock.met_at == recovered
    # The monitor's own "reachable again" note is for staff only: one public update each.
    assert not TicketMessage.objects.filter(kind="system", internal=False, created_at=recovered)
    engine.minute_sweep(now=recovered + M)
    assert TicketMessage.objects.filter(from_staff=True, internal=False).count() == STORES + 1


def test_stores_that_refuse_connections_while_the_control_target_answers_are_a_storm(
    cast, fleet, shops
):
    shops[0].down()  # the platform's front door is gone: no store answers at all
    rounds(T0 + M)
    incident = PlatformIncident.objects.get()
    assert IncidentTicket.objects.filter(incident=incident).count() == STORES
    assert len(pages()) == 1


def test_a_storm_while_the_control_target_fails_opens_no_incident(cast, fleet, shops):
    stores, control = shops
    stores.status = 503
    control.status = 503  # Helpline's own network: the rounds are blind
    rounds(T0 + M, 4)
    assert PlatformIncident.objects.count() == 0
    assert Outage.objects.count() == 0 and not pages()
    assert not Ticket.objects.exists()


def test_a_worker_killed_while_posting_updates_repeats_none(cast, fleet, shops, monkeypatch):
    site = shops[0]
    site.status = 503
    confirmed = rounds(T0 + M)
    incident = PlatformIncident.objects.get()
    # Re-running the storm's step (a worker killed after it committed) pages nobody again.
    assert storm.incident_check(now=confirmed + S) == incident
    assert len(pages()) == 1
    paging.platform_incident(
        storm.listeners.Storm(incident=incident, stores_down=30, watched=30, now=confirmed)
    )
    assert len(pages()) == 1  # the idempotency key drops a repeated page
    real = storm.tickets.ticket_incident_update
    posted: list[int] = []

    class Killed(BaseException):
        pass

    def dies_on_the_eleventh(**kwargs: Any) -> Any:
        if len(posted) == 10:
            raise Killed  # SIGKILL: nothing after this point runs
        posted.append(kwargs["ticket"].pk)
        return real(**kwargs)

    site.status = 200
    monkeypatch.setattr(storm.tickets, "ticket_incident_update", dies_on_the_eleventh)
    with pytest.raises(Killed):
        rounds(confirmed + M, 2)
    incident.refresh_from_db()
    assert incident.resolved_at is not None
    assert IncidentTicket.objects.filter(updated_at__isnull=False).count() == 10
    monkeypatch.setattr(storm.tickets, "ticket_incident_update", real)
    engine.minute_sweep(now=incident.resolved_at + M)  # the restarted worker's sweep
    for ticket in Ticket.objects.all():
        assert TicketMessage.objects.filter(ticket=ticket, from_staff=True).count() == 1


def test_monitors_held_by_a_killed_worker_of_this_machine_are_due_again_at_once(fleet):
    import socket
    import subprocess
    import sys

    from helpline.monitoring import services
    from helpline.monitoring.models import Monitor

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    now = T0 + M
    dead, alive, elsewhere = (f"{host}:{gone.pid}:probes", engine.worker_name(), "other:1:probes")
    ids = list(Monitor.objects.order_by("pk").values_list("pk", flat=True))
    for name, chunk in ((dead, ids[:10]), (alive, ids[10:20]), (elsewhere, ids[20:])):
        Monitor.objects.filter(pk__in=chunk).update(claimed_by=name, next_probe_at=now + 5 * M)
    assert engine.release_dead_claims(now=now) == 10
    assert set(services.monitors_claim(now=now, worker="test")) == set(
        Monitor.objects.filter(pk__in=ids[:10])
    )


def test_a_failed_rounds_monitors_are_given_back_by_its_own_worker(cast, fleet):
    """A round that fails after claiming (PostgreSQL restarted under it) leaves its monitors
    leased for 5 minutes; the probe loop gives its own claims back before the next round
    (decision 0193), and nobody else's."""
    from helpline.monitoring import services
    from helpline.monitoring.models import Monitor

    now = T0 + M
    mine = services.monitors_claim(now=now, worker="w:1:probes", limit=20)
    assert len(mine) == 20
    others = services.monitors_claim(now=now, worker="w:2:probes", limit=5)
    assert engine.release_own_claims(now=now + S, worker="w:1:probes") == 20
    due = set(services.monitors_claim(now=now + S, worker="w:1:probes"))
    assert set(mine) <= due and not due & set(others)  # (the 5 never claimed are due too)
    assert set(Monitor.objects.filter(claimed_by="w:2:probes")) == set(others)


def test_a_storm_is_shown_from_its_first_failures_and_a_blip_resolves_by_itself(
    cast, fleet, shops, client
):
    """One round of failures while the control target answers opens the incident at once
    (decision 0192); if the stores answer again before any outage is confirmed, nobody's
    ticket is opened and the minute sweep resolves the incident once the window has passed."""
    from helpline.outbox.models import Outbox
    from helpline.subscriptions import services as subscriptions

    subscriptions.subscribe_user(user=cast.alice, store_id=None, channel="email", now=T0)
    shops[0].status = 503
    engine.probe_step(now=T0 + M, worker="test")
    incident = PlatformIncident.objects.get()
    assert incident.resolved_at is None and incident.paged_at == T0 + M
    assert not Outage.objects.exists()
    assert incident.title in client.get("/status/").content.decode()
    shops[0].status = 200
    rounds(T0 + M + 5 * S, 2)
    assert not Ticket.objects.filter(issue_type="store-down").exists()
    engine.minute_sweep(now=T0 + 5 * M)
    assert PlatformIncident.objects.get().resolved_at is None  # within the window: it stays
    engine.minute_sweep(now=T0 + 12 * M)
    assert PlatformIncident.objects.get().resolved_at == T0 + 12 * M
    # Whoever heard it open hears it end (decision 0227).
    told = Outbox.objects.filter(recipient=cast.alice.email, kind__startswith="status_incident")
    assert sorted(told.values_list("kind", flat=True)) == [
        "status_incident_opened",
        "status_incident_resolved",
    ]
