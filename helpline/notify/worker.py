"""The worker's step and loop. ``helpline worker`` is a thin shell around ``run_forever``.

One step (``run_once``) sweeps what has fallen due — SLA warnings and breaches (recorded at
their true instants, however late the step runs), expired quotes, resolved tickets the merchant
left unanswered — and then delivers the outbox until nothing due is left (or a bound is
reached, so that sweeps stay on the minute under a backlog). Tests call ``run_once(now=…)``.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from helpline.accounts import request_keys
from helpline.billing import sweeps as billing_sweeps
from helpline.core import clock
from helpline.mail import imap
from helpline.mail import services as mail
from helpline.notify import delivery
from helpline.tickets import sweeps

log = logging.getLogger(__name__)


@dataclass
class StepResult:
    clock_events: int = 0
    quotes_expired: int = 0
    closed: int = 0
    mail_in: int = 0
    delivered: Counter[str] = field(default_factory=Counter)

    @property
    def busy(self) -> bool:
        return bool(
            self.clock_events
            or self.quotes_expired
            or self.closed
            or self.mail_in
            or sum(self.delivered.values())
        )

    def __str__(self) -> str:
        sent = ", ".join(f"{k} {v}" for k, v in sorted(self.delivered.items())) or "nothing"
        return (
            f"clock events {self.clock_events}, quotes expired {self.quotes_expired}, "
            f"closed {self.closed}, outbox: {sent}"
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
    result.quotes_expired = billing_sweeps.quotes_expire(now=when)
    result.closed = sweeps.tickets_autoclose(now=when)
    # Mail in (issue 4): the IMAP poller when configured, and the raw-mail retention.
    result.mail_in = imap.poll_if_configured(now=now)
    mail.mail_purge_raw(now=when)
    request_keys.request_keys_purge(now=when)  # Idempotency-Keys older than a day
    name = worker or delivery.worker_name()
    for _ in range(max_batches):
        if stop is not None and stop.is_set():
            break
        done = delivery.deliver_due(now=now, worker=name, limit=batch, threads=threads)
        if not done:
            break
        result.delivered.update(done)
    return result


def run_forever(
    *, stop: threading.Event, interval: float = 1.0, worker: str | None = None, threads: int = 1
) -> int:
    """Steps until ``stop`` is set; an idle step waits ``interval`` seconds (or the stop)."""
    steps = 0
    while not stop.is_set():
        try:
            result = run_once(worker=worker, stop=stop, threads=threads)
        except Exception:  # a bad step must not end the worker: log it, wait, go on
            log.exception("worker step failed")
            stop.wait(interval)
            continue
        steps += 1
        if result.busy:
            log.info("%s", result)
        else:
            stop.wait(interval)
    return steps
