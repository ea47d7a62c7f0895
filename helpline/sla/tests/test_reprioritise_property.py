"""Re-prioritising never buys time, for any sequence of changes at any instants (decision 0090).

Hypothesis draws a ticket (start, issue type) and a sequence of priority changes, issue-type
changes, pauses and resumes, to the second, up to three days apart; ``reprio_model.Checker``
holds every deadline the engine gives against the policy's promises, independently of how the
engine keeps them. ``bench/reprioritise_property.py`` runs 10,000 random sequences.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import reprio_model as model

pytestmark = pytest.mark.pure

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

starts = st.builds(
    lambda minutes, seconds: model.FIRST + timedelta(minutes=minutes, seconds=seconds),
    st.integers(0, model.SPAN_MINUTES),
    st.integers(0, 59),
)
steps_ = st.one_of(
    st.tuples(st.just("priority"), st.sampled_from(model.PRIORITIES)),
    st.tuples(st.just("issue_type"), st.sampled_from(model.ISSUE_TYPES)),
    st.tuples(st.sampled_from(("pause", "resume"))),
)
gaps = st.one_of(st.integers(1, 600), st.integers(1, 3 * 86_400))
sequences = st.lists(st.tuples(gaps, steps_), min_size=1, max_size=8)


@SETTINGS
@given(start=starts, issue_type=st.sampled_from(model.ISSUE_TYPES), steps=sequences)
def test_no_sequence_of_changes_buys_time(start, issue_type, steps) -> None:
    _sim, checker = model.run(start, issue_type, steps)
    assert checker.violations == []


def test_the_checker_catches_a_restart_from_the_change_instant(monkeypatch) -> None:
    """The checker is not vacuous: the old rule (every target restarts from the change) fails."""

    def restart(track, new, *, at, rank, calendar_of, priority_calendar):
        spans = model.pauses_at(track, at)
        used = model.elapsed(calendar_of(new.calendar), track.origin, at, spans)
        budget = used + new.length
        found = model.lay_out(calendar_of(new.calendar), track.origin, budget, spans)
        assert found is not None
        return model.Outcome("raised", budget, found, None, used, {})

    monkeypatch.setattr(model, "retarget", restart)
    start = model.FIRST + timedelta(days=7, hours=4, minutes=30)  # Mon 7 Dec 10:00 IST
    hour = 3600
    _sim, checker = model.run(
        start, "functionality", [(25 * hour, ("priority", "C4")), (60, ("priority", "C3"))]
    )
    assert any("later than" in v for v in checker.violations)
