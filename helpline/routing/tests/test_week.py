"""The simulated week's properties on a smaller week (the full one: bench/routing_week.py)."""

from __future__ import annotations

import pytest

from helpline.routing.tests.week import Week, simulate


@pytest.mark.django_db
def test_a_small_week_owns_every_ticket_it_can_and_tells_someone_of_every_alarm(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    week = Week(tickets=60, night_c1=6, unknown_mails=6, forged=4, days=2, solved_per_hour=3)
    figures = simulate(week)
    for row in figures.rows():
        print(*row, sep=" | ")
    assert figures.on_shift_arrivals > 0
    assert figures.on_shift_owned == figures.on_shift_arrivals
    assert figures.c1 >= week.night_c1 and figures.c1_owned == figures.c1
    assert figures.told_nobody == 0
    assert figures.max_spread <= 1  # the goal: ±1 across agents on shift, hour by hour
    # The forged burst (4 mails in 28 s from one domain) is opened at C3 and pages once.
    assert (figures.forged_pages, figures.forged_c1) == (1, 0)
