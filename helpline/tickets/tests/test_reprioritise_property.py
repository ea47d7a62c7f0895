"""Random re-prioritising on real tickets: the services write what the pure engine computes.

Hypothesis files a ticket and applies a random sequence of priority changes, issue-type changes,
questions to the merchant (a pause; the first one also answers the first response) and the
merchant's answers (a resume) through the services, at any instants. After every step each
current clock row must show what ``sla.tests.reprio_model.Sim`` (``sla.reprioritise``) gives,
and the model's deadlines must keep the policy's promises (``reprio_model.Checker``; the pure
test ``sla/tests/test_reprioritise_property.py`` and ``bench/reprioritise_property.py`` run many
more sequences).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.sla.defaults import FIRST_RESPONSE, TARGET_KINDS
from helpline.sla.tests import reprio_model as model
from helpline.tickets import services
from helpline.tickets.models import Status, Ticket, TicketClock

pytestmark = pytest.mark.django_db

starts = st.builds(
    lambda minutes: model.FIRST + timedelta(minutes=minutes),
    st.integers(0, model.SPAN_MINUTES),
)
steps_ = st.one_of(
    st.tuples(st.just("priority"), st.sampled_from(model.PRIORITIES)),
    st.tuples(st.just("issue_type"), st.sampled_from(model.ISSUE_TYPES)),
    st.tuples(st.sampled_from(("pause", "resume"))),
)
sequences = st.lists(st.tuples(st.integers(1, 3 * 86_400), steps_), min_size=1, max_size=6)


def assert_rows_match(ticket: Ticket, sim: model.Sim, at: datetime) -> None:
    for kind in TARGET_KINDS:
        row = TicketClock.objects.get(ticket=ticket, kind=kind, superseded_at__isnull=True)
        if kind in sim.met:
            assert row.met_at is not None, kind
            continue
        track = sim.tracks[kind]
        assert (row.priority, row.length) == (track.target.priority, track.target.length), kind
        paused = track.paused_since is not None
        want = track.breached_at or (None if paused else sim.deadline(kind, at))
        got = row.breached_at or (None if row.paused_since else row.deadline)
        assert got == want, (kind, row.state)


def apply(cast: Any, ticket: Ticket, sim: model.Sim, step: tuple[str, ...], at: datetime) -> None:
    ticket.refresh_from_db()
    if step[0] == "pause" and ticket.status not in (Status.WAITING_ON_MERCHANT,):
        if ticket.status == Status.NEW:
            services.ticket_start(actor=cast.ravi, ticket=ticket, now=at)
        services.ticket_reply(actor=cast.ravi, ticket=ticket, body="?", question=True, now=at)
        if FIRST_RESPONSE not in sim.met:
            sim.record_passed(FIRST_RESPONSE, at)
            sim.met.add(FIRST_RESPONSE)
        sim.pause(at)
    elif step[0] == "resume" and ticket.status == Status.WAITING_ON_MERCHANT:
        services.ticket_reply(actor=cast.alice, ticket=ticket, body="Here", now=at)
        sim.resume(at)
    elif step[0] in ("priority", "issue_type"):
        services.ticket_update(
            actor=cast.ravi,
            ticket=ticket,
            reason="re-triaged",
            now=at,
            **{step[0]: step[1]},  # type: ignore[arg-type]
        )
        priority = step[1] if step[0] == "priority" else sim.priority
        issue_type = step[1] if step[0] == "issue_type" else sim.issue_type
        sim.change(at, priority=priority, issue_type=issue_type)


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(start=starts, issue_type=st.sampled_from(model.ISSUE_TYPES), steps=sequences)
def test_the_services_move_the_clocks_as_the_engine_does(cast, start, issue_type, steps) -> None:
    priority = model.DEFAULT_PRIORITY[issue_type]
    ticket = cast.ticket(at=start, issue_type=issue_type, priority=priority)
    sim = model.Sim(priority, issue_type, start)
    at = start
    for gap, step in steps:
        at += timedelta(seconds=gap)
        apply(cast, ticket, sim, step, at)
        assert_rows_match(ticket, sim, at)
    _sim, checker = model.run(start, issue_type, steps)
    assert checker.violations == []
