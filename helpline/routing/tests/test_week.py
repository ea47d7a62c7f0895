"""The simulated week's properties on a smaller week (the full one: bench/routing_week.py)."""

from __future__ import annotations

import pytest

from helpline.routing.tests.week import Week, simulate


@pytest.mark.django_db
def test_a_small_week_owns_every_ticket_it_can_and_tells_someone_of_every_alarm(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    # One day (Monday): business hours, an evening and a night; the full week is the bench's.
    week = Week(tickets=40, night_c1=4, unknown_mails=4, forged=3, days=1)
    figures = simulate(week)
    for row in figures.rows():
        print(*row, sep=" | ")
    assert figures.on_shift_arrivals > 0
    assert figures.on_shift_owned == figures.on_shift_arrivals
    assert figures.c1 >= week.night_c1 and figures.c1_owned == figures.c1
    assert figures.told_nobody == 0
    # Balance (decisions 0134, 0185): every placement by a team's rule went to one of the
    # least loaded of the team's agents present under capacity, and every hour each team's
    # weighted loads were within one ticket after the worker's step (the bench's figure).
    assert figures.auto_assigned > 0
    assert figures.to_least_loaded == figures.auto_assigned
    assert figures.spread_hours > 0 and figures.within_one == figures.spread_hours
    # The forged burst (3 mails in 21 s from one domain) is opened at C3 and pages once.
    assert (figures.forged_pages, figures.forged_c1) == (1, 0)
