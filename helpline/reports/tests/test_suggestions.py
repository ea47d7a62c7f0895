"""Suggestions that speak only when they should (decision 0221): found when an earlier ticket
exists, quiet when none does — on the project's labelled set and on the holdout written apart."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.conftest import T0
from helpline.reports import similar
from helpline.reports.tests.duplicates import DUPLICATES, both_sides
from helpline.reports.tests.holdout import HOLDOUT


def _file(cast, entries):
    return [cast.ticket(subject=s, description=d, at=T0) for _, s, d in entries]


@pytest.mark.parametrize("all_open", [similar.ALL_OPEN, 0])
def test_found_and_quiet_on_the_labelled_set(cast, monkeypatch, all_open) -> None:
    # all_open=0: a writer with more open tickets than ALL_OPEN, whose candidates come from the
    # full-text index (the draft's words and their families) and the 50 most recent
    monkeypatch.setattr(similar, "ALL_OPEN", all_open)
    monkeypatch.setattr(similar, "RECENT_CANDIDATES", 5 if all_open == 0 else 50)
    found, quiet = both_sides(cast.alice, _file(cast, DUPLICATES), DUPLICATES)
    assert found >= 0.9, found
    assert quiet >= 0.9, quiet


@pytest.mark.xfail(
    strict=True,
    reason="measured 0.875 found / 0.875 quiet on the holdout (decision 0221): the goal of "
    "≥ 0.9 on both is not met on the set the score was not tuned on",
)
def test_found_and_quiet_on_the_holdout(cast) -> None:
    found, quiet = both_sides(cast.alice, _file(cast, HOLDOUT), HOLDOUT)
    assert found >= 0.9, found
    assert quiet >= 0.9, quiet


def test_the_holdout_figures_stay_where_measured(cast) -> None:
    # The honest floor of the holdout (above), so that a change that makes it worse fails.
    found, quiet = both_sides(cast.alice, _file(cast, HOLDOUT), HOLDOUT)
    assert found >= 0.875 and quiet >= 0.875, (found, quiet)


def test_the_examples_of_issue_23(cast) -> None:
    _file(cast, DUPLICATES)
    cast.ticket(subject="Android app update rejected", description="Play Store rejected it.")
    cast.ticket(subject="SSL certificate expired", description="Browsers warn visitors.")
    cast.ticket(subject="Product images not loading", description="Photos are broken icons.")
    assert similar.similar_open_tickets(user=cast.alice, text="Add Google Analytics 4") == []
    down = similar.similar_open_tickets(user=cast.alice, text="502 store down")
    assert "Product images not loading" not in [s.ticket.subject for s in down]
    assert all("image" not in s.ticket.subject.lower() for s in down)


def test_the_score_weighs_store_issue_type_incident_and_age() -> None:
    base: dict[str, Any] = {
        "similarity": 0.31,
        "same_store": 0,
        "same_type": 0,
        "incident": False,
        "age_days": 1,
    }
    p = similar.ticket_probability(**base)
    assert p == pytest.approx(similar.SHOW_AT)
    assert similar.ticket_probability(**{**base, "same_store": 1}) > p
    assert similar.ticket_probability(**{**base, "same_store": -1}) < p
    assert similar.ticket_probability(**{**base, "same_type": -1}) < p
    assert similar.ticket_probability(**{**base, "incident": True}) > p
    assert similar.ticket_probability(**{**base, "age_days": 120}) < p
    assert similar.ticket_probability(**{**base, "similarity": 0.0}) < 0.001


def test_another_store_needs_closer_words(cast) -> None:
    ticket = cast.ticket(subject="Coupon code invalid", description="Promo code gives an error.")
    text = "Discount code rejected at checkout"
    assert [s.ticket for s in similar.similar_open_tickets(user=cast.alice, text=text)] == [ticket]
    other = similar.similar_open_tickets(
        user=cast.alice, text=text, store_id=ticket.store_id + 999, issue_type="billing"
    )
    same = similar.similar_open_tickets(
        user=cast.alice, text=text, store_id=ticket.store_id, issue_type=ticket.issue_type
    )
    assert (
        same and same[0].score > similar.similar_open_tickets(user=cast.alice, text=text)[0].score
    )
    assert other == [] or other[0].score < same[0].score


def test_only_matching_open_incidents_are_shown_for_a_draft(cast) -> None:
    from helpline.monitoring import services as monitoring

    monitoring.incident_open(title="Checkout payment gateway degraded")
    assert similar.open_incidents(user=cast.alice, text="Customers cannot pay at checkout")
    assert similar.open_incidents(user=cast.alice, text="Add Google Analytics 4") == []
    assert len(similar.open_incidents(user=cast.alice)) == 1  # the C1 check shows all
