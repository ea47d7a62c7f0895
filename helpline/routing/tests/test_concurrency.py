"""Two workers routing one ticket at once leave one owner: the ticket's row is locked before
the decision, and the second finds it owned. PostgreSQL only (SQLite has one writer)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections

from helpline.conftest import T0, wait_until_a_session_waits_on_a_lock
from helpline.routing import assignment
from helpline.routing.models import AgentProfile
from helpline.tickets.models import Ticket, TicketEvent
from helpline.web.tests.browser import policy  # noqa: F401 - a flushed database has none


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("policy")
def test_two_workers_assigning_at_once_leave_one_owner(desk: Any, monkeypatch: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the race on the ticket's row is PostgreSQL's (SQLite has one writer)")
    AgentProfile.objects.update(status="away")
    ticket = desk.ticket(at=T0)  # nobody available: it waits unassigned
    AgentProfile.objects.update(status="available")
    inside, release = threading.Event(), threading.Event()
    real = assignment.choose

    def held(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "first":
            inside.set()
            assert release.wait(20), "never released"
        return real(*args, **kwargs)

    monkeypatch.setattr(assignment, "choose", held)
    results: dict[str, Any] = {}

    def work(name: str) -> None:
        try:
            results[name] = assignment.route(ticket=ticket.pk, now=T0 + timedelta(minutes=5))
        finally:
            connections.close_all()

    first = threading.Thread(target=work, args=("first",), name="first")
    first.start()
    assert inside.wait(20)
    second = threading.Thread(target=work, args=("second",), name="second")
    second.start()
    try:
        waiting = wait_until_a_session_waits_on_a_lock(release)
        assert waiting, "the second worker never waited on the ticket's row"
    finally:
        release.set()
        first.join(30)
        second.join(30)
    assert results["first"] is not None and results["first"].assigned
    assert results["second"] is None
    assert TicketEvent.objects.filter(ticket_id=ticket.pk, kind="assignee").count() == 1
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == results["first"].assignee_id
