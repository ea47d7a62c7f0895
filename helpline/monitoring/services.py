"""Every write of the monitoring app: monitors, recording a probe round, maintenance windows.

``probe_round_record`` turns what a round of probes saw into state changes, outages, blind
(unknown) spans, store-down tickets and platform incidents. ``now`` is the round's instant:
every probe of a round is booked at it (docs/decisions/0020-store-uptime.md).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import User
from helpline.core import clock, display
from helpline.core.errors import Conflict, InvalidInput
from helpline.core.validation import has_control, has_nul
from helpline.merchants.models import Store
from helpline.monitoring import results, states, status_changes, storm
from helpline.monitoring.models import (
    BlindSpan,
    MaintenanceWindow,
    Monitor,
    MonitorState,
    Outage,
    PlatformIncident,
    StateChange,
)
from helpline.monitoring.probe import Outcome
from helpline.outbox import services as outbox
from helpline.outbox.channels.email import payload as email_payload
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets import services as tickets
from helpline.tickets.models import Channel

STORE_DOWN = "store-down"
LEASE = timedelta(minutes=5)  # a claimed monitor not recorded by then is claimed again

# ---------------------------------------------------------------- monitors


def _valid_title(title: str, description: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > 200 or has_control(title) or has_control(description):
        raise InvalidInput("a title of 1 to 200 characters, no control characters", code="title")
    return title


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if has_nul(url) or len(url) > 500:
        raise InvalidInput("the URL is too long or holds a NUL character", code="invalid_url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise InvalidInput(f"{url[:100]!r} is not an http(s) URL", code="invalid_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{url[:100]!r} is not an http(s) URL", code="invalid_url")
    return url


def monitor_check(values: dict[str, Any]) -> None:
    """The checks ``monitor_create``/``monitor_update`` apply (forms ask before saving)."""
    _check_ranges(values)
    if values.get("url"):
        _check_url(values["url"])
    interval, timeout = values.get("interval_seconds"), values.get("timeout_seconds")
    if interval is not None and timeout is not None and timeout >= interval:
        raise InvalidInput("the timeout must be shorter than the interval", code="timeout_seconds")


def _check_ranges(values: dict[str, Any]) -> None:
    limits = {
        "interval_seconds": (10, 86400),
        "timeout_seconds": (1, 60),
        "expected_status": (100, 599),
        "tls_warn_days": (0, 365),
    }
    for name, (low, high) in limits.items():
        value = values.get(name)
        if value is not None and not (isinstance(value, int) and low <= value <= high):
            raise InvalidInput(f"{name} must be a whole number from {low} to {high}", code=name)
    keyword = values.get("keyword")
    if keyword is not None and (len(keyword) > 200 or has_nul(keyword)):
        raise InvalidInput("keyword: at most 200 characters, no NUL", code="keyword")


def monitor_create(
    *,
    store: Store,
    url: str | None = None,
    interval_seconds: int = 60,
    timeout_seconds: int = 10,
    expected_status: int = 200,
    keyword: str = "",
    tls_warn_days: int = 14,
    now: datetime | None = None,
) -> Monitor:
    """Watch a URL of a store (default: the store's own URL), first probe at once."""
    now = now or clock.now()
    values = {
        "interval_seconds": interval_seconds,
        "timeout_seconds": timeout_seconds,
        "expected_status": expected_status,
        "keyword": keyword,
        "tls_warn_days": tls_warn_days,
    }
    _check_ranges(values)
    if timeout_seconds >= interval_seconds:
        raise InvalidInput("the timeout must be shorter than the interval", code="timeout_seconds")
    return Monitor.objects.create(
        store=store, url=_check_url(url or store.url), next_probe_at=now, created_at=now, **values
    )


# What may be changed on a monitor (the admin's form shows these, with the store).
MONITOR_FIELDS = (
    "url",
    "interval_seconds",
    "timeout_seconds",
    "expected_status",
    "keyword",
    "tls_warn_days",
    "active",
)


def monitor_update(*, monitor: Monitor, now: datetime | None = None, **changes: Any) -> Monitor:
    unknown = set(changes) - set(MONITOR_FIELDS)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}", code="invalid")
    _check_ranges(changes)
    if "url" in changes:
        changes["url"] = _check_url(changes["url"])
    with transaction.atomic():
        monitor = Monitor.objects.select_for_update().get(pk=monitor.pk)
        for name, value in changes.items():
            setattr(monitor, name, value)
        if monitor.timeout_seconds >= monitor.interval_seconds:
            raise InvalidInput(
                "the timeout must be shorter than the interval", code="timeout_seconds"
            )
        if changes.get("active"):
            monitor.next_probe_at = now or clock.now()
        monitor.save(update_fields=[*changes, "next_probe_at"])
    return monitor


def monitors_claim(*, now: datetime, worker: str, limit: int = 1000) -> list[Monitor]:
    """Take the due monitors (their ``next_probe_at`` moves a lease ahead, so no other worker
    takes them meanwhile). PostgreSQL: ``SKIP LOCKED``; SQLite: one writer at a time."""
    with transaction.atomic():
        rows = list(
            Monitor.objects.select_for_update(skip_locked=True)
            .filter(active=True, next_probe_at__lte=now)
            .order_by("next_probe_at")[:limit]
        )
        if rows:
            Monitor.objects.filter(pk__in=[m.pk for m in rows]).update(
                next_probe_at=now + LEASE, claimed_by=worker[:100]
            )
    return rows


def monitors_release(*, now: datetime, claimers: Sequence[str]) -> int:
    """Give back the monitors ``claimers`` hold (workers known dead): due at once, not at the
    end of their lease — a worker killed mid-round would otherwise leave the stores it held
    unwatched for ``LEASE`` (5 minutes), in a storm the very minutes that matter."""
    if not claimers:
        return 0
    return Monitor.objects.filter(claimed_by__in=list(claimers), next_probe_at__gt=now).update(
        next_probe_at=now, claimed_by=""
    )


def monitor_claimers() -> list[str]:
    """The names of the workers holding monitors now."""
    return list(
        Monitor.objects.exclude(claimed_by="").values_list("claimed_by", flat=True).distinct()
    )


# ---------------------------------------------------------------- a probe round


@dataclass
class RoundSummary:
    probes: int = 0
    failures: int = 0
    blind: int = 0
    outages_opened: int = 0
    outages_closed: int = 0
    tickets_opened: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"probes {self.probes}, failures {self.failures}, unknown {self.blind}, "
            f"outages opened {self.outages_opened}, closed {self.outages_closed}"
        )


def _blind(monitor: Monitor, start: datetime, end: datetime, reason: str) -> None:
    """Unknown time: extends the monitor's last span if it touches it, else a new row."""
    if end <= start:
        return
    touched = BlindSpan.objects.filter(
        monitor=monitor, ended_at__gte=start, started_at__lte=start, reason=reason
    ).update(ended_at=end)
    if not touched:
        BlindSpan.objects.create(
            monitor=monitor,
            store_id=monitor.store_id,
            started_at=start,
            ended_at=end,
            reason=reason,
        )


def _unseen(
    monitor: Monitor, outcome: Outcome, now: datetime, interval: timedelta, blind_reason: str
) -> None:
    """Our network was blind, or the guard refused the probe (a configuration error)."""
    _blind(monitor, now, now + interval, blind_reason or f"not probed: {outcome.error}"[:200])
    fields: dict[str, Any] = {} if blind_reason else {"last_error": outcome.error[:300]}
    Monitor.objects.filter(pk=monitor.pk).update(
        last_probe_at=now, next_probe_at=now + interval, claimed_by="", **fields
    )


def round_is_blind(outcomes: Sequence[Outcome], *, control_ok: bool | None) -> str:
    """Why this round says nothing about the stores ('' if it does): our control target failed,
    or — with no control target to ask — every probe of a large round failed without any answer
    (resolver or network down). A control target that answered vouches for the round: stores
    that all refuse connections then are a platform down, a storm (decision 0140)."""
    if control_ok is False:
        return "Helpline's own network failed (the control target did not answer)"
    if control_ok is True:
        return ""
    minimum = settings.MONITOR_BLIND_ROUND_MIN
    if len(outcomes) >= minimum and not any(o.answered or o.refused for o in outcomes):
        return "Helpline's own network failed (no store answered at all)"
    return ""


def probe_round_record(
    *, now: datetime, outcomes: Sequence[Outcome], blind_reason: str = ""
) -> RoundSummary:
    summary = RoundSummary(probes=len(outcomes))
    by_id = {o.monitor_id: o for o in outcomes}
    monitors = list(Monitor.objects.filter(pk__in=list(by_id)).select_related("store"))
    quiet: dict[int, list[int]] = defaultdict(list)  # interval → ids of up-and-fine monitors
    eventful: list[tuple[Monitor, Outcome, bool]] = []
    with transaction.atomic():
        results.results_store(outcomes, now)
        for monitor in monitors:
            outcome = by_id[monitor.pk]
            summary.failures += not outcome.ok
            interval = timedelta(seconds=monitor.interval_seconds)
            last = monitor.last_probe_at
            gap = last is not None and now - last > 2 * interval
            if gap and last is not None:
                _blind(monitor, last + interval, now, "not probed (Helpline was not running)")
            if blind_reason or outcome.refused:
                summary.blind += 1
                _unseen(monitor, outcome, now, interval, blind_reason)
            elif (
                outcome.ok
                and monitor.state == MonitorState.UP
                and not monitor.last_error
                and outcome.tls_expires_at == monitor.tls_expires_at
            ):
                quiet[monitor.interval_seconds].append(monitor.pk)
            else:
                eventful.append((monitor, outcome, gap))
        for seconds, ids in quiet.items():
            for chunk in range(0, len(ids), 900):
                Monitor.objects.filter(pk__in=ids[chunk : chunk + 900]).update(
                    last_probe_at=now,
                    next_probe_at=now + timedelta(seconds=seconds),
                    claimed_by="",
                )
    steps = [(m, _advance(m, outcome, now, gap=gap)) for m, outcome, gap in eventful]
    coming = [(m.store_id, s.after.first_failure_at or now) for m, s in steps if s.outage_confirmed]
    falling = [
        (m.store_id, s.after.first_failure_at or now)
        for m, s in steps
        if s.after.state == states.SUSPECT
    ]
    if coming or falling:  # a storm is recognised before its tickets open (decision 0192)
        storm.incident_check(now=now, coming=coming, falling=falling)
    for monitor, outcome, gap in eventful:
        _record_one(monitor, outcome, now, summary, gap=gap)
    if summary.outages_opened:
        storm.incident_check(now=now)
    return summary


def _advance(monitor: Monitor, outcome: Outcome, now: datetime, *, gap: bool) -> states.Step:
    """The monitor's next state after this probe (pure: nothing is saved)."""
    before = states.Snapshot(
        monitor.state,
        monitor.fail_streak,
        monitor.ok_streak,
        monitor.first_failure_at,
        monitor.recovery_at,
    )
    if gap:
        before = states.after_gap(before)
    return states.advance(
        before,
        ok=outcome.ok,
        at=now,
        down_after=settings.MONITOR_DOWN_AFTER,
        up_after=settings.MONITOR_UP_AFTER,
    )


def _record_one(
    monitor: Monitor, outcome: Outcome, now: datetime, summary: RoundSummary, *, gap: bool
) -> None:
    was = monitor.state
    step = _advance(monitor, outcome, now, gap=gap)
    after = step.after
    with transaction.atomic():
        monitor.state = after.state
        monitor.fail_streak, monitor.ok_streak = after.fail_streak, after.ok_streak
        monitor.first_failure_at, monitor.recovery_at = after.first_failure_at, after.recovery_at
        monitor.last_probe_at, monitor.claimed_by = now, ""
        monitor.last_error = outcome.error[:300]
        if outcome.tls_expires_at is not None:
            monitor.tls_expires_at = outcome.tls_expires_at
        wait = timedelta(
            seconds=settings.MONITOR_REPROBE_SECONDS
            if step.reprobe_now
            else monitor.interval_seconds
        )
        monitor.next_probe_at = now + wait
        monitor.save(
            update_fields=[
                "state",
                "fail_streak",
                "ok_streak",
                "first_failure_at",
                "recovery_at",
                "last_probe_at",
                "claimed_by",
                "last_error",
                "tls_expires_at",
                "next_probe_at",
            ]
        )
        if after.state != was:
            StateChange.objects.create(
                monitor=monitor,
                at=now,
                before=was,
                after=after.state,
                reason=outcome.error[:300] or "answered as expected",
            )
        if step.outage_confirmed:
            _outage_confirmed(monitor, outcome, now, summary)
        if step.recovery_confirmed and step.recovered_at is not None:
            _recovery_confirmed(monitor, step.recovered_at, now, summary)


def in_maintenance(store_id: int, at: datetime) -> bool:
    return (
        MaintenanceWindow.objects.filter(starts_at__lte=at, ends_at__gt=at)
        .filter(Q(stores__isnull=True) | Q(stores=store_id))
        .exists()
    )


def _outage_confirmed(
    monitor: Monitor, outcome: Outcome, now: datetime, summary: RoundSummary
) -> None:
    store = monitor.store
    start = monitor.first_failure_at or now
    zone = store.merchant.time_zone
    outage = Outage.objects.create(
        monitor=monitor,
        store=store,
        started_at=start,
        confirmed_at=now,
        cause=outcome.error[:300],
        maintenance=in_maintenance(store.pk, start),
    )
    summary.outages_opened += 1
    what = (
        f"The store monitor cannot reach {monitor.url} since {display.when(start, zone)} "
        f"({settings.MONITOR_DOWN_AFTER} failed probes in a row): {outcome.error or 'no answer'}."
    )
    if outage.maintenance:
        what += " This falls inside an announced maintenance window."
    ticket = ticket_selectors.open_ticket_for_store(store_id=store.pk, issue_type=STORE_DOWN)
    if ticket is not None:
        tickets.ticket_system_note(ticket=ticket, body=what, now=now)
    else:
        ticket = tickets.ticket_create(
            actor=None,
            store=store,
            subject=f"Store down: {store.name}",
            description=what,
            issue_type=STORE_DOWN,
            priority="C1",
            channel=Channel.MONITOR,
            now=now,
        )
        summary.tickets_opened.append(ticket.pk)
    outage.ticket = ticket
    outage.save(update_fields=["ticket"])
    status_changes.outage_started(outage, now=now)


def _recovery_confirmed(
    monitor: Monitor, recovered_at: datetime, now: datetime, summary: RoundSummary
) -> None:
    outage = Outage.objects.filter(monitor=monitor, ended_at__isnull=True).first()
    if outage is None:
        return
    outage.ended_at = recovered_at
    outage.save(update_fields=["ended_at"])
    summary.outages_closed += 1
    minutes = (recovered_at - outage.started_at).total_seconds() / 60
    zone = monitor.store.merchant.time_zone
    ticket = outage.ticket
    if ticket is not None:
        # In a platform incident the merchant hears of the recovery once, from the incident's
        # update (storm.updates_sweep); the monitor's note is kept for staff.
        public = outage.incident_id is None
        body = (
            f"The store monitor reaches {monitor.url} again since "
            f"{display.when(recovered_at, zone)} "
            f"(down {minutes:.0f} min, from {display.when(outage.started_at, zone)}). "
            "Support will confirm and resolve this ticket."
        )
        with contextlib.suppress(Conflict):  # closed meanwhile: nothing to tell on it
            tickets.ticket_system_note(ticket=ticket, body=body, public=public, now=now)
    status_changes.outage_ended(outage, now=now)
    if outage.incident_id is not None:
        storm.incident_resolved_check(outage.incident_id, now=now)


# ---------------------------------------------------------------- maintenance


def _mail(user: User, *, kind: str, subject: str, body: str, key: str, now: datetime) -> None:
    """One mail to a person, through the outbox (inside the caller's transaction)."""
    outbox.enqueue(
        channel="email",
        kind=kind,
        recipient=user.email,
        payload=email_payload.plain(subject=subject[:250], body=body),
        idempotency_key=key,
        now=now,
        recipient_user_id=user.pk,
    )


def maintenance_create(
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    stores: Sequence[Store] = (),
    description: str = "",
    now: datetime | None = None,
) -> MaintenanceWindow:
    """Plan maintenance (``stores`` empty: every store) and announce it, in advance, by mail to
    the merchant users concerned (outbox, same transaction)."""
    now = now or clock.now()
    title = _valid_title(title, description)
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise InvalidInput("times must carry a zone", code="naive_datetime")
    if ends_at <= starts_at:
        raise InvalidInput("maintenance must end after it starts", code="invalid_window")
    if starts_at <= now:
        raise InvalidInput(
            "maintenance is announced in advance: it must start in the future",
            code="not_in_advance",
        )
    with transaction.atomic():
        window = MaintenanceWindow.objects.create(
            title=title,
            description=description,
            starts_at=starts_at,
            ends_at=ends_at,
            announced_at=now,
            created_at=now,
        )
        window.stores.set(stores)
        people = account_selectors.merchant_users(
            {s.merchant_id for s in stores} if stores else None
        )
        names: dict[int, list[str]] = defaultdict(list)
        for s in stores:
            names[s.merchant_id].append(s.name)
        for user in people:
            zone = user.time_zone or (user.merchant.time_zone if user.merchant else "")
            which = ", ".join(names.get(user.merchant_id or 0, [])) or "all stores"
            body = (
                f"Planned maintenance: {title}\n\n"
                f"From {display.when(starts_at, zone)} to {display.when(ends_at, zone)}.\n"
                f"Stores concerned: {which}.\n\n{description}\n\n"
                "Your store may be unreachable during this window.\n"
                "— Helpline (this message was sent automatically)"
            )
            _mail(
                user,
                kind="maintenance",
                subject=f"Planned maintenance {display.when(starts_at, zone)}: {title}",
                body=body,
                key=f"maint{window.pk}.email.u{user.pk}",
                now=now,
            )
    return window


# ---------------------------------------------------------------- incidents by hand


def incident_open(
    *, title: str, description: str = "", now: datetime | None = None
) -> PlatformIncident:
    """Staff open a platform incident themselves (shown on the status page at once)."""
    title, now = _valid_title(title, description), now or clock.now()
    with transaction.atomic():
        incident = PlatformIncident.objects.create(
            title=title, description=description, started_at=now, automatic=False
        )
        status_changes.incident_opened(incident, now=now)
    return incident


def incident_resolve(*, incident: PlatformIncident, now: datetime | None = None) -> bool:
    """Mark an incident resolved (False if it was already)."""
    now = now or clock.now()
    with transaction.atomic():
        done = PlatformIncident.objects.filter(pk=incident.pk, resolved_at__isnull=True).update(
            resolved_at=max(now, incident.started_at)
        )
        if done:
            status_changes.incident_resolved(incident.pk, now=now)
    return bool(done)


# ---------------------------------------------------------------- certificates


def tls_warnings(*, now: datetime) -> int:
    """Certificates that expire within their monitor's warning days: one mail per certificate
    (per expiry date) to the store's account manager and the merchant's users. Run by the
    probe loop's sweep; the idempotency key makes repeats no-ops."""
    due = Monitor.objects.filter(active=True, tls_expires_at__isnull=False).select_related(
        "store", "store__account_manager"
    )
    written = 0
    with transaction.atomic():
        for monitor in due:
            expires = monitor.tls_expires_at
            if expires is None or expires - now > timedelta(days=monitor.tls_warn_days):
                continue
            store = monitor.store
            people = account_selectors.merchant_users([store.merchant_id])
            if store.account_manager is not None:
                people.append(store.account_manager)
            for user in people:
                _mail(
                    user,
                    kind="tls_expiry",
                    subject=f"The certificate of {store.name} expires soon",
                    body=(
                        f"The TLS certificate served at {monitor.url} expires on "
                        f"{display.when(expires, user.time_zone or store.merchant.time_zone)}. "
                        "Renew it before then, or customers will see a security warning.\n"
                        "— Helpline (this message was sent automatically)"
                    ),
                    key=f"tls.m{monitor.pk}.{expires:%Y%m%d}.u{user.pk}",
                    now=now,
                )
                written += 1
    return written
