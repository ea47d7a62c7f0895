"""Maintenance windows (announced in advance, outages inside them marked) and storage that
stays small (rollups, pruning)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from helpline.conftest import T0
from helpline.core.errors import InvalidInput
from helpline.monitoring import engine, rollup, selectors, services
from helpline.monitoring.models import (
    MaintenanceWindow,
    Outage,
    ProbeResult,
    ProbeRollup,
    StateChange,
)
from helpline.monitoring.probe import Outcome
from helpline.outbox.models import Outbox

M = timedelta(minutes=1)
H = timedelta(hours=1)


def test_maintenance_is_announced_by_mail_to_the_merchants_concerned(cast):
    window = services.maintenance_create(
        title="Database upgrade",
        starts_at=T0 + 48 * H,
        ends_at=T0 + 49 * H,
        stores=[cast.acme_shoes],
        description="Storefronts may answer slowly.",
        now=T0,
    )
    mails = list(Outbox.objects.filter(kind="maintenance"))
    assert [m.recipient for m in mails] == ["alice@acme.test"]  # Bob's store is not concerned
    # In Alice's zone (IST): 26 Nov 10:30.
    assert "Thu 26 Nov 2026, 10:30 IST" in mails[0].payload["body"]
    assert "Acme Shoes" in mails[0].payload["body"]
    assert window.announced_at == T0
    assert selectors.maintenance_windows(since=T0, store=cast.bolt_gadgets) == []
    assert selectors.maintenance_windows(since=T0, store=cast.acme_shoes) == [window]

    everyone = services.maintenance_create(
        title="Network work", starts_at=T0 + H, ends_at=T0 + 2 * H, now=T0
    )
    assert {m.recipient for m in Outbox.objects.filter(kind="maintenance")} == {
        "alice@acme.test",
        "bob@bolt.test",
    }
    assert "29 Nov" not in everyone.title


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [(T0 - H, T0 + H, "not_in_advance"), (T0 + 2 * H, T0 + H, "invalid_window")],
)
def test_maintenance_in_the_past_or_backwards_is_refused_and_nothing_is_sent(
    cast, start, end, code
):
    with pytest.raises(InvalidInput) as err:
        services.maintenance_create(title="x", starts_at=start, ends_at=end, now=T0)
    assert err.value.code == code
    assert not MaintenanceWindow.objects.exists() and not Outbox.objects.exists()


def fail(monitor, at, error="status 503, expected 200"):
    return services.probe_round_record(
        now=at, outcomes=[Outcome(monitor.pk, False, 503, 5, error, answered=True)]
    )


def test_an_outage_inside_maintenance_is_marked_and_still_counts(cast):
    monitor = services.monitor_create(store=cast.acme_shoes, now=T0)
    services.maintenance_create(
        title="Upgrade", starts_at=T0 + H, ends_at=T0 + 2 * H, stores=[cast.acme_shoes], now=T0
    )
    for i in range(3):
        fail(monitor, T0 + H + 10 * M + i * 5 * timedelta(seconds=1))
    for i in range(1, 110):  # still down, probed every minute until 3:00
        fail(monitor, T0 + H + 10 * M + 10 * timedelta(seconds=1) + i * M)
    outage = Outage.objects.get()
    assert outage.maintenance is True
    assert outage.ticket is not None and "maintenance" in outage.ticket.description
    figures = selectors.store_figures(cast.acme_shoes, kind="day", day=T0.date(), now=T0 + 3 * H)
    # Down from 1:10 until now (3:00, still open): 110 min, of which 50 inside the window.
    assert figures.downtime_minutes == pytest.approx(110)
    assert figures.maintenance_minutes == pytest.approx(50)


def test_raw_results_roll_up_and_are_pruned_after_48_hours(cast):
    monitor = services.monitor_create(store=cast.acme_shoes, now=T0)
    ok = Outcome(monitor.pk, True, 200, 20, answered=True)
    for i in range(6):  # two rounds a minute for three minutes, one failing
        outcome = ok if i != 3 else Outcome(monitor.pk, False, 500, 30, "status 500", answered=True)
        services.probe_round_record(now=T0 + i * 30 * timedelta(seconds=1), outcomes=[outcome])
    rollup.sweep(now=T0 + 10 * M)
    minutes = list(
        ProbeRollup.objects.filter(resolution="m")
        .order_by("bucket")
        .values_list("bucket", "probes", "failures", "latency_ms_sum")
    )
    assert minutes == [(T0, 2, 0, 40), (T0 + M, 2, 1, 50), (T0 + 2 * M, 2, 0, 40)]
    assert ProbeResult.objects.count() == 6  # young: kept
    for _ in range(12):  # a sweep catches up at most 6 hours of minutes at a time
        rollup.sweep(now=T0 + 49 * H)
    assert ProbeResult.objects.count() == 0
    hours = ProbeRollup.objects.filter(resolution="h").get()
    assert (hours.bucket, hours.probes, hours.failures) == (T0, 6, 1)
    assert ProbeRollup.objects.filter(resolution="d").get().probes == 6
    assert StateChange.objects.count() == 3  # new → up, up → suspect, suspect → up: kept


def test_monitor_input_is_checked(cast):
    cases: list[tuple[dict[str, Any], str]] = [
        ({"url": "ftp://x"}, "invalid_url"),
        ({"url": "http://"}, "invalid_url"),
        ({"interval_seconds": 5}, "interval_seconds"),
        ({"interval_seconds": 30, "timeout_seconds": 30}, "timeout_seconds"),
        ({"expected_status": 99}, "expected_status"),
        ({"keyword": "a\x00b"}, "keyword"),
    ]
    for bad, code in cases:
        with pytest.raises(InvalidInput) as err:
            services.monitor_create(store=cast.acme_shoes, now=T0, **bad)
        assert err.value.code == code
    assert not selectors.monitors().exists()


def test_an_idle_step_claims_nothing(cast):
    assert engine.probe_step(now=T0, worker="t").claimed == 0


def test_an_expiring_certificate_is_announced_once(cast):
    monitor = services.monitor_create(store=cast.acme_shoes, now=T0)
    services.tls_warnings(now=T0)
    assert not Outbox.objects.exists()  # no certificate seen yet
    monitor.tls_expires_at = T0 + 30 * 24 * H
    monitor.save(update_fields=["tls_expires_at"])
    services.tls_warnings(now=T0)
    assert not Outbox.objects.exists()  # 30 days away: beyond the 14-day warning
    services.tls_warnings(now=T0 + 20 * 24 * H)
    services.tls_warnings(now=T0 + 21 * 24 * H)
    assert sorted(Outbox.objects.filter(kind="tls_expiry").values_list("recipient", flat=True)) == [
        "alice@acme.test",
        "maya@helpline.test",
    ]
