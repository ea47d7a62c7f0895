"""The simulated week's properties on a smaller week (the full one: bench/routing_week.py)."""

from __future__ import annotations

import pytest

from helpline.routing.tests.week import Week, simulate


@pytest.mark.django_db
def test_a_small_week_owns_every_ticket_it_can_and_tells_someone_of_every_alarm(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    figures = simulate(
        Week(tickets=150, night_c1=8, unknown_mails=12, forged=6, days=3, solved_per_hour=3)
    )
    for row in figures.rows():
        print(*row, sep=" | ")
    assert figures.on_shift_arrivals > 0
    assert figures.on_shift_owned == figures.on_shift_arrivals
    assert figures.c1 >= 14 and figures.c1_owned == figures.c1
    assert figures.told_nobody == 0
    assert figures.forged_pages >= 6  # every forged C1 paged the on-call
