"""The decision alone: a pure function of the facts, the candidates, their loads and the instant
(table tests for every reason, hypothesis for the properties)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.routing.decide import WEIGHTS, Candidate, Facts, decide, weight
from helpline.routing.shifts import Days, Span, covers, next_shift_start, on_leave

pytestmark = pytest.mark.pure

IST = ZoneInfo("Asia/Kolkata")
NY = ZoneInfo("America/New_York")
# Tue 24 Nov 2026 10:30 IST.
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
DAY_SHIFT = tuple(Span(d, time(9), time(18)) for d in range(7))
FACTS = Facts(priority="C3", issue_type="payments", language="en", team_id=7)


def agent(user_id: int, **more: object) -> Candidate:
    base: dict[str, object] = {
        "user_id": user_id,
        "zone": IST,
        "skills": frozenset({"payments"}),
        "languages": frozenset({"en"}),
        "capacity": 10,
        "shifts": DAY_SHIFT,
    }
    base.update(more)
    return Candidate(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("candidates", "loads", "facts", "chosen", "reason"),
    [
        ([], {}, FACTS, None, "nobody on shift"),
        ([agent(1, shifts=())], {}, FACTS, None, "nobody on shift"),
        ([agent(1, in_team=False)], {}, FACTS, None, "nobody on shift"),
        (
            [agent(1, available=False)],
            {},
            FACTS,
            None,
            "nobody on shift is available (away or on leave)",
        ),
        (
            [agent(1, leave=(Days(date(2026, 11, 24), date(2026, 11, 24)),))],
            {},
            FACTS,
            None,
            "nobody on shift is available (away or on leave)",
        ),
        (
            [agent(1, skills=frozenset({"refunds"}))],
            {},
            FACTS,
            None,
            "nobody on shift with the skill payments",
        ),
        (
            [agent(1)],
            {},
            Facts(priority="C3", issue_type="payments", language="hi", team_id=7),
            None,
            "nobody on shift who writes hi",
        ),
        ([agent(1, capacity=4)], {1: 4}, FACTS, None, "all at capacity"),
        # A C1 is never left unowned for capacity: the least loaded takes it (decision 0185).
        (
            [agent(1, capacity=4), agent(2, capacity=4)],
            {1: 6, 2: 5},
            Facts(priority="C1", issue_type="payments", team_id=7),
            2,
            "auto: least loaded of 2 on shift with payments (a C1: all at capacity)",
        ),
        (
            [agent(1), agent(2)],
            {1: 3, 2: 2},
            FACTS,
            2,
            "auto: least loaded of 2 on shift with payments",
        ),
        (
            [agent(1, capacity=4), agent(2)],
            {1: 4, 2: 9},
            FACTS,
            2,
            "auto: least loaded of 1 on shift with payments",
        ),
        # No languages listed: English.
        (
            [agent(1, languages=frozenset())],
            {},
            FACTS,
            1,
            "auto: least loaded of 1 on shift with payments",
        ),
        (
            [agent(1), agent(2, languages=frozenset({"en", "hi"}))],
            {},
            Facts(priority="C3", issue_type="payments", language="hi", team_id=7),
            2,
            "auto: least loaded of 1 on shift with payments, writing hi",
        ),
        # A C1 after hours: the on-call, whatever their skill, language, shift or load.
        (
            [agent(1), agent(2, in_team=False, on_call=True, skills=frozenset(), shifts=())],
            {2: 99},
            Facts(priority="C1", issue_type="payments", team_id=7, after_hours=True),
            2,
            "auto: on call (least loaded of 1)",
        ),
        # … unless nobody on call is available: the team's rule.
        (
            [agent(1), agent(2, in_team=False, on_call=True, available=False)],
            {},
            Facts(priority="C1", issue_type="payments", team_id=7, after_hours=True),
            1,
            "auto: least loaded of 1 on shift with payments",
        ),
        # A C2 after hours is the team's (no on-call).
        (
            [agent(2, in_team=False, on_call=True)],
            {},
            Facts(priority="C2", issue_type="payments", team_id=7, after_hours=True),
            None,
            "nobody on shift",
        ),
    ],
)
def test_the_rule_and_its_reasons(candidates, loads, facts, chosen, reason) -> None:
    decision = decide(facts, candidates, loads, NOW)
    assert (decision.assignee_id, decision.reason) == (chosen, reason)
    assert decision.team_id == facts.team_id


def test_a_tie_goes_to_the_one_assigned_least_recently_never_first_then_the_lowest_id() -> None:
    earlier, later = NOW - timedelta(hours=2), NOW - timedelta(hours=1)
    tied = [agent(1, last_assigned_at=later), agent(2, last_assigned_at=earlier)]
    assert decide(FACTS, tied, {}, NOW).assignee_id == 2
    assert decide(FACTS, [*tied, agent(3)], {}, NOW).assignee_id == 3
    assert decide(FACTS, [agent(5), agent(4)], {}, NOW).assignee_id == 4


def test_weights() -> None:
    assert [weight(p) for p in ("C1", "C2", "C3", "C4")] == [4, 3, 2, 1]
    assert WEIGHTS == {"C1": 4, "C2": 3, "C3": 2, "C4": 1}


def test_overlapping_shifts_across_midnight_in_another_zone() -> None:
    # New York: Monday 20:00 → Tuesday 02:00 and Tuesday 00:00 → 06:00 (they overlap).
    spans = (Span(0, time(20), time(2)), Span(1, time(0), time(6)))
    at = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)  # Tue 01:30 in New York (EST)
    assert covers(spans[0], NY, at) and covers(spans[1], NY, at)
    assert decide(FACTS, [agent(1, zone=NY, shifts=spans)], {}, at).assignee_id == 1
    later = datetime(2026, 11, 24, 11, 30, tzinfo=UTC)  # Tue 06:30 in New York: off
    assert decide(FACTS, [agent(1, zone=NY, shifts=spans)], {}, later).reason == "nobody on shift"
    # The same UTC instant is Tuesday 12:00 in India, where the day shift covers it.
    assert decide(FACTS, [agent(1, shifts=DAY_SHIFT)], {}, later).assignee_id == 1


def test_a_whole_day_shift_and_leave_in_the_agents_zone() -> None:
    whole = (Span(1, time(8), time(8)),)  # Tuesday 08:00 → Wednesday 08:00
    assert covers(whole[0], IST, datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # Wed 07:30 IST
    # Leave on Wednesday in India: Tuesday 19:00 UTC is already Wednesday there.
    leave = (Days(date(2026, 11, 25), date(2026, 11, 25)),)
    assert on_leave(leave, IST, datetime(2026, 11, 24, 19, 0, tzinfo=UTC))
    assert not on_leave(leave, NY, datetime(2026, 11, 24, 19, 0, tzinfo=UTC))


def test_next_shift_skips_leave_days_and_the_shift_running_now() -> None:
    leave = [Days(date(2026, 11, 25), date(2026, 11, 26))]
    back = next_shift_start(DAY_SHIFT, leave, IST, NOW)  # on shift now, off Wed and Thu
    assert back == datetime(2026, 11, 27, 9, 0, tzinfo=IST)
    assert next_shift_start((), [], IST, NOW) is None


# ---------------------------------------------------------------- properties

candidates_st = st.lists(
    st.builds(
        agent,
        st.integers(1, 40),
        available=st.booleans(),
        capacity=st.integers(0, 12),
        skills=st.sets(st.sampled_from(["payments", "refunds"])).map(frozenset),
        languages=st.sets(st.sampled_from(["en", "hi"])).map(frozenset),
        shifts=st.sampled_from([(), DAY_SHIFT, (Span(1, time(22), time(3)),)]),
        last_assigned_at=st.none() | st.integers(0, 5).map(lambda h: NOW - timedelta(hours=h)),
        in_team=st.booleans(),
    ),
    max_size=8,
    unique_by=lambda c: c.user_id,
)
loads_st = st.dictionaries(st.integers(1, 40), st.integers(0, 14))


@settings(max_examples=300, deadline=None)
@given(candidates_st, loads_st, st.sampled_from(["en", "hi"]))
def test_the_chosen_one_qualifies_and_nobody_qualifying_has_less_load(
    candidates, loads, language
) -> None:
    facts = Facts(priority="C2", issue_type="payments", language=language, team_id=3)
    decision = decide(facts, candidates, loads, NOW)

    def qualifies(c: Candidate) -> bool:
        return (
            c.in_team
            and any(covers(s, c.zone, NOW) for s in c.shifts)
            and c.available
            and "payments" in c.skills
            and language in (c.languages or {"en"})
            and loads.get(c.user_id, 0) < c.capacity
        )

    qualified = [c for c in candidates if qualifies(c)]
    if not qualified:
        assert decision.assignee_id is None and not decision.reason.startswith("auto")
        return
    chosen = next(c for c in candidates if c.user_id == decision.assignee_id)
    assert qualifies(chosen)
    assert decision.reason.startswith(f"auto: least loaded of {len(qualified)} ")
    least = min(loads.get(c.user_id, 0) for c in qualified)
    assert loads.get(chosen.user_id, 0) == least
    # Order of the candidates never changes the choice.
    assert decide(facts, list(reversed(candidates)), loads, NOW) == decision
