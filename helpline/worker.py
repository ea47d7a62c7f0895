"""The worker's composition: the loops that run each app's one-step functions.

``helpline worker`` (``cli_commands/worker.py``) is a thin shell around ``serve``: the step loop
(``run_forever``) here, and the store probes' loop (``probes_forever``) in a thread beside it.
Each app keeps its own step — the ticket sweeps, the outbox's ``deliver_due``, the mail poll,
the monitor's ``probe_step`` and ``minute_sweep`` — and this module only decides when they run.

One step (``run_once``) sweeps what has fallen due — SLA warnings and breaches and passed due
dates (recorded at their true instants, however late the step runs), expired quotes, resolved
tickets the merchant left unanswered, the work of agents whose leave has begun — and then
delivers the outbox until nothing due is left (or a bound is reached, so that sweeps stay on
the minute under a backlog). Tests call ``run_once(now=…)``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import close_old_connections, connections
from prometheus_client import CollectorRegistry, Histogram, start_http_server
from prometheus_client import Counter as MetricCounter

from helpline.accounts import request_keys
from helpline.audit import chain as audit
from helpline.billing import sweeps as billing_sweeps
from helpline.core import clock, heartbeat, limits
from helpline.core.zones import zone_or_default
from helpline.csat import followups as csat_followups
from helpline.mail import imap
from helpline.monitoring import engine as probes
from helpline.monitoring import root_cause
from helpline.notifications import audit as audit_alerts
from helpline.outbox import delivery
from helpline.privacy import services as privacy
from helpline.routing import assignment, balance
from helpline.routing import services as routing
from helpline.tickets import sweeps

log = logging.getLogger(__name__)
PROBE_SWEEP_EVERY = timedelta(minutes=1)  # the uptime rollup and TLS warnings
PROBES_FULL_BATCH = 5000  # a round that claimed this many: more are due, go on at once
GAPS_MAILED = "on-call-gaps-mailed"  # a heartbeat row: the day the gaps were last mailed
AUDIT_VERIFIED = "audit-verified"  # a heartbeat row: the day the audit chain was last checked
RETAINED = "retention-applied"  # a heartbeat row: the day the retention settings last ran


# The worker's own metrics (``helpline worker --metrics-port``): the probe rounds, which no
# table records; everything the database knows is on the web's /metrics (decision 0161).
METRICS = CollectorRegistry(auto_describe=True)
PROBE_ROUNDS = MetricCounter(
    "helpline_probe_rounds", "Probe rounds that probed at least one store", registry=METRICS
)
PROBES = MetricCounter(
    "helpline_probes", "Store probes made, by result", ["result"], registry=METRICS
)
PROBE_ROUND_SECONDS = Histogram(
    "helpline_probe_round_duration_seconds",
    "Time a probe round took, from the claim to its results recorded",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0),
    registry=METRICS,
)


def metrics_serve(*, host: str, port: int) -> tuple[str, int]:
    """Serve the worker's metrics over HTTP on ``host:port`` (port 0: a free one) in a
    daemon thread; where it listens."""
    server, _thread = start_http_server(port, addr=host, registry=METRICS)
    bound = server.server_address
    return str(bound[0]), int(bound[1])


def probe_round(*, now: datetime | None = None, worker: str | None = None) -> probes.StepResult:
    """One probe round (``probes.probe_step``), counted and timed for the metrics."""
    started = time.perf_counter()
    result = probes.probe_step(now=now, worker=worker)
    if result.claimed and result.summary is not None:
        PROBE_ROUND_SECONDS.observe(time.perf_counter() - started)
        PROBE_ROUNDS.inc()
        failed = result.summary.failures
        PROBES.labels(result="ok").inc(max(0, result.summary.probes - failed))
        PROBES.labels(result="failed").inc(failed)
    return result


@dataclass
class StepResult:
    clock_events: int = 0
    due_passed: int = 0
    quotes_expired: int = 0
    closed: int = 0
    csat_followups: int = 0
    moved_for_leave: int = 0
    placed_from_queues: int = 0
    rebalanced: int = 0
    mail_in: int = 0
    delivered: Counter[str] = field(default_factory=Counter)

    @property
    def busy(self) -> bool:
        return bool(
            self.clock_events
            or self.due_passed
            or self.quotes_expired
            or self.closed
            or self.csat_followups
            or self.moved_for_leave
            or self.placed_from_queues
            or self.rebalanced
            or self.mail_in
            or sum(self.delivered.values())
        )

    def __str__(self) -> str:
        sent = ", ".join(f"{k} {v}" for k, v in sorted(self.delivered.items())) or "nothing"
        return (
            f"clock events {self.clock_events}, due dates passed {self.due_passed}, "
            f"quotes expired {self.quotes_expired}, "
            f"closed {self.closed}, CSAT follow-ups {self.csat_followups}, "
            f"moved for leave {self.moved_for_leave}, "
            f"placed from queues {self.placed_from_queues}, rebalanced {self.rebalanced}, "
            f"outbox: {sent}"
        )


def run_once(
    *,
    now: datetime | None = None,
    worker: str | None = None,
    batch: int = 100,
    max_batches: int = 20,
    stop: threading.Event | None = None,
    threads: int = 1,
) -> StepResult:
    """One step: the sweeps at ``now`` (default: the clock), then outbox deliveries."""
    result = StepResult()
    when = now or clock.now()
    result.clock_events = sweeps.clocks_sweep(now=when)
    result.due_passed = sweeps.due_dates_sweep(now=when)
    result.quotes_expired = billing_sweeps.quotes_expire(now=when)
    result.closed = sweeps.tickets_autoclose(now=when)
    # Low-score follow-ups whose warning or due instant passed (csat, decision 0203).
    result.csat_followups = csat_followups.followups_sweep(now=when)
    # Leave that began since the last step: the agent's urgent work (and work due before
    # they are back) moves to someone on shift (idempotent).
    result.moved_for_leave = assignment.leave_sweep(now=when)
    # Tickets that waited in a queue for want of anyone: placed once someone qualifies.
    result.placed_from_queues = assignment.queue_sweep(now=when)
    # Tickets nobody has started move from the most to the least loaded agent on shift.
    result.rebalanced = balance.rebalance(now=when)
    # Root-cause reports nearing or past their due date: their owner is told (decision 0229).
    root_cause.root_cause_sweep(now=when)
    # Mail in: the IMAP poller when configured (raw mail's retention is a daily job).
    result.mail_in = imap.poll_if_configured(now=now)
    request_keys.request_keys_purge(now=when)  # Idempotency-Keys older than a day
    heartbeat.beat(heartbeat.WORKER, now=when)
    limits.purge(now=when)  # rate-limit windows that have ended
    result.delivered = delivery.step(
        now=now, worker=worker, batch=batch, max_batches=max_batches, stop=stop, threads=threads
    )
    return result


def _done_today(beat: str, now: datetime) -> bool:
    """Whether the daily job whose heartbeat row is ``beat`` already ran on ``now``'s day (in
    the deployment's zone): the row survives a restarted worker."""
    zone = zone_or_default(None)
    last = heartbeat.last_beat(beat)
    return last is not None and last.beat_at.astimezone(zone).date() == now.astimezone(zone).date()


def on_call_gaps_daily(*, now: datetime) -> int:
    """Once a day (in the deployment's zone): mail the admins the on-call rota's gaps of the
    next 7 days (``routing.services.on_call_gaps_mail``; its idempotency key is the day too).
    The day last done is a heartbeat row, so a restarted worker does not mail again. Run by
    ``run_forever`` after each step and by ``once``, apart from ``run_once``: a daily job, not
    part of the step that sweeps and delivers."""
    if _done_today(GAPS_MAILED, now):
        return 0
    sent = routing.on_call_gaps_mail(now=now)
    heartbeat.stamp(GAPS_MAILED, now=now)
    return sent


def audit_verify_daily(*, now: datetime) -> audit.Verdict | None:
    """Once a day (in the deployment's zone): check the audit chain end to end
    (``audit.chain.verify``, ~1 M entries in seconds) and, on a break, tell every admin
    through the outbox. None when it already ran today."""
    if _done_today(AUDIT_VERIFIED, now):
        return None
    verdict = audit.verify()
    if not verdict.ok:
        log.error("%s", verdict)
        audit_alerts.audit_chain_broken(verdict=verdict, now=now)
    heartbeat.stamp(AUDIT_VERIFIED, now=now)
    return verdict


def retention_daily(*, now: datetime) -> dict[str, int] | None:
    """Once a day: the retention settings (``privacy.services.retention_apply``); None when
    it already ran today."""
    if _done_today(RETAINED, now):
        return None
    done = privacy.retention_apply(now=now)
    heartbeat.stamp(RETAINED, now=now)
    return done


def daily(*, now: datetime) -> None:
    """The daily jobs, each at most once a day: the on-call gaps, the audit chain's check, the
    retention of closed tickets and raw mail."""
    on_call_gaps_daily(now=now)
    audit_verify_daily(now=now)
    retention_daily(now=now)


def run_forever(
    *, stop: threading.Event, interval: float = 1.0, worker: str | None = None, threads: int = 1
) -> int:
    """Steps until ``stop`` is set; an idle step waits ``interval`` seconds (or the stop)."""
    steps = 0
    try:
        released = delivery.release_dead_claims(now=clock.now())
        log.info("outbox: %s notifications held by a dead worker are due again", released)
    except Exception:  # the steps still run; the claims end with their lease
        log.exception("releasing dead workers' notifications failed")
    while not stop.is_set():
        try:
            result = run_once(worker=worker, stop=stop, threads=threads)
            daily(now=clock.now())
        except Exception:  # a bad step must not end the worker: log it, wait, go on
            log.exception("worker step failed")
            # A connection that died (PostgreSQL restarted) is not reused: without this the
            # step failed on "the connection is closed" until the worker was restarted.
            connections.close_all()
            stop.wait(interval)
            continue
        steps += 1
        if result.busy:
            log.info("%s", result)
        else:
            stop.wait(interval)
    return steps


def probes_forever(
    *, stop: threading.Event, interval: float = 1.0, worker: str | None = None
) -> int:
    """Probe rounds until ``stop``; the monitor's minute sweep once a minute. A failing round
    (the database gone, …) is logged and retried: the time it could not record becomes unknown
    by itself (a gap in probes longer than twice the interval)."""
    rounds = 0
    last_sweep: datetime | None = None
    name = worker or probes.worker_name()
    try:
        try:
            released = probes.release_dead_claims(now=clock.now())
            log.info("probes: %s monitors held by a dead worker are due again", released)
        except Exception:  # the rounds still run; the claims end with their lease
            log.exception("releasing dead workers' monitors failed")
        failed = False
        while not stop.is_set():
            try:
                now = clock.now()
                if failed:  # what the failed round claimed is due again now, not in 5 minutes
                    probes.release_own_claims(now=now, worker=name)
                    failed = False
                result = probe_round(now=now, worker=name)
                if last_sweep is None or now - last_sweep >= PROBE_SWEEP_EVERY:
                    probes.minute_sweep(now=now)
                    last_sweep = now
            except Exception:  # a bad round must not end the worker
                failed = True
                log.exception("probe round failed")
                close_old_connections()
                stop.wait(interval)
                continue
            rounds += 1
            if result.claimed:
                log.info("probes: %s", result)
            if result.claimed < PROBES_FULL_BATCH:
                stop.wait(interval)
    finally:
        connections.close_all()  # this thread's connections (they are per thread)
    return rounds


def once(*, worker: str | None = None, threads: int = 1, with_probes: bool = True) -> list[str]:
    """``helpline worker --once``: one step, then (unless another worker probes) one probe
    round; what each did, a line each."""
    lines = [str(run_once(worker=worker, threads=threads))]
    verdict = audit_verify_daily(now=clock.now())
    lines.append(str(verdict) if verdict else "audit chain already checked today")
    retained = retention_daily(now=clock.now())
    lines.append(f"retention: {retained}" if retained else "retention already applied today")
    lines.append(f"on-call gaps mailed to {on_call_gaps_daily(now=clock.now())} admin(s)")
    if with_probes:
        lines.append(f"probes: {probe_round(worker=worker)}")
    return lines


def serve(
    *,
    stop: threading.Event,
    interval: float = 1.0,
    worker: str | None = None,
    threads: int = 1,
    with_probes: bool = True,
) -> int:
    """The worker until ``stop``: the step loop here and the store probes (their own loop of
    asyncio rounds) in a thread beside it. Returns how many steps ran."""
    prober = None
    if with_probes:
        prober = threading.Thread(
            target=probes_forever, kwargs={"stop": stop}, name="probes", daemon=True
        )
        prober.start()
    steps = run_forever(stop=stop, interval=interval, worker=worker, threads=threads)
    if prober is not None:
        prober.join(30)
    return steps
