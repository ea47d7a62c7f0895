"""A developer ticket's conversation and resolution note (issue 22): who may write, and bad input
refused with a clear error and nothing written."""

from __future__ import annotations

import pytest

from helpline.core.errors import InvalidInput, NotFound
from helpline.engineering import selectors, services
from helpline.engineering.models import DevComment


@pytest.fixture
def dev(cast):
    ticket = cast.ticket(subject="UPI fails")
    return services.devticket_open(actor=cast.ravi, title="UPI intent", ticket_ids=[ticket.pk])


def test_engineers_and_staff_comment_and_note_what_was_done(cast, dev) -> None:
    services.devticket_comment(actor=cast.eric, dev=dev, body="Reproduced.")
    services.devticket_comment(actor=cast.ravi, dev=dev, body="Merchant waits on it.")
    shown = selectors.devticket_comments(user=cast.eric, dev=dev)
    assert [(c.author, c.body) for c in shown] == [
        (cast.eric, "Reproduced."),
        (cast.ravi, "Merchant waits on it."),
    ]
    done = services.devticket_update(
        actor=cast.eric, dev=dev, status="done", resolution_note="  Fixed in 4.2.1  "
    )
    assert (done.status, done.resolution_note) == ("done", "Fixed in 4.2.1")


def test_bad_comments_are_refused_and_nothing_is_written(cast, dev) -> None:
    for body, code in (
        ("   ", "invalid_body"),
        ("nul\x00", "invalid_body"),
        ("x" * 20_001, "invalid_body"),
    ):
        with pytest.raises(InvalidInput) as caught:
            services.devticket_comment(actor=cast.eric, dev=dev, body=body)
        assert caught.value.code == code
    with pytest.raises(NotFound):  # merchants know nothing of developer tickets
        services.devticket_comment(actor=cast.alice, dev=dev, body="hello")
    with pytest.raises(NotFound):
        selectors.devticket_comments(user=cast.alice, dev=dev)
    assert not DevComment.objects.exists()
