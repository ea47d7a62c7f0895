"""The open loads the database keeps for routing (``OpenLoad``, decision 0184): whatever writes
the tickets — services, bulk updates, raw SQL — the rows equal the open tickets counted again,
after every single operation; ``reconcile`` finds and mends a row broken by hand."""

from __future__ import annotations

import contextlib
import importlib
import random
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from helpline.cli import main as cli
from helpline.conftest import T0
from helpline.core.errors import HelplineError
from helpline.tickets import selectors, services
from helpline.tickets.models import OPEN_STATUSES, OpenLoad, Ticket
from helpline.tickets.services.loads import reconcile

pytestmark = pytest.mark.django_db
PRIORITIES = ("C1", "C2", "C3", "C4")


def _operation(cast: Any, rng: random.Random, at: Any) -> None:
    """One random write of the kinds that move a load (and some that must not)."""
    tickets = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    if not tickets or rng.random() < 0.2:
        ticket = cast.ticket(at=at, priority=rng.choice(PRIORITIES))
        if rng.random() < 0.7:
            cast.triage(ticket, by="ravi", assignee=rng.choice([cast.ravi, cast.lena]).pk, at=at)
        return
    ticket = Ticket.objects.get(pk=rng.choice(tickets))
    kind = rng.randrange(10)
    staff, merchant = cast.ravi, cast.alice
    if kind == 0:
        who = rng.choice([cast.ravi.pk, cast.lena.pk, None])
        services.ticket_update(actor=staff, ticket=ticket, assignee=who, now=at)
    elif kind == 1:
        services.ticket_update(
            actor=staff, ticket=ticket, priority=rng.choice(PRIORITIES), reason="drift", now=at
        )
    elif kind == 2:
        services.ticket_resolve(actor=staff, ticket=ticket, message="Fixed.", now=at)
    elif kind == 3:
        services.ticket_reopen(actor=merchant, ticket=ticket, reason="still broken", now=at)
    elif kind == 4:
        services.ticket_close(actor=merchant, ticket=ticket, now=at)
    elif kind == 5:
        services.ticket_withdraw(actor=merchant, ticket=ticket, reason="never mind", now=at)
    elif kind == 6:  # a bulk write that no service sees: the triggers still do
        some = rng.sample(tickets, min(3, len(tickets)))
        field = rng.choice(["status", "priority", "assignee_id"])
        value = {
            "status": rng.choice(["in_progress", "resolved", "closed", "waiting_on_merchant"]),
            "priority": rng.choice([*PRIORITIES, "P9"]),
            "assignee_id": rng.choice([cast.ravi.pk, cast.lena.pk, cast.ada.pk, None]),
        }[field]
        Ticket.objects.filter(pk__in=some).update(**{field: value})
    elif kind == 7:  # rows written and deleted around the services (an import, a purge)
        bare = Ticket.objects.filter(subject="bare").order_by("?").first()
        if bare is not None and rng.random() < 0.5:
            bare.delete()
            return
        Ticket.objects.create(
            merchant_id=ticket.merchant_id,
            store_id=ticket.store_id,
            policy_version_id=ticket.policy_version_id,
            subject="bare",
            description="imported",
            issue_type=ticket.issue_type,
            priority=rng.choice(PRIORITIES),
            status=rng.choice(["new", "in_progress", "resolved"]),
            assignee_id=rng.choice([cast.ravi.pk, cast.lena.pk, None]),
            created_at=at,
            updated_at=at,
        )
    elif kind == 8:  # a save of every column that changes nothing routing counts
        ticket.subject = f"{ticket.subject}!"
        ticket.save()
    else:
        cast.triage(ticket, by="lena", assignee=rng.choice([cast.ravi, cast.lena]).pk, at=at)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_loads_never_drift_from_the_tickets_whatever_writes_them(cast, seed) -> None:
    rng = random.Random(seed)  # noqa: S311 - a test's dice
    counted_any = False
    for step in range(80):
        # A refusal (closed, no change …) writes nothing either.
        with contextlib.suppress(HelplineError):
            _operation(cast, rng, T0 + step * timedelta(minutes=7))
        kept, counted = selectors.open_counts_kept(), selectors.open_counts_counted()
        assert kept == counted, (seed, step)
        counted_any = counted_any or bool(counted)
    assert counted_any
    assert reconcile() == {}


def test_a_load_broken_by_hand_is_found_and_repaired(cast, capsys) -> None:
    ticket = cast.triage(cast.ticket(priority="C2"), assignee=cast.ravi.pk)
    assert selectors.open_counts_kept() == {cast.ravi.pk: (0, 1, 0, 0, 0)}
    OpenLoad.objects.filter(user=cast.ravi).update(c2=5, c4=1)
    OpenLoad.objects.create(user=cast.lena, c1=2)
    drift = {
        cast.ravi.pk: ((0, 5, 0, 1, 0), (0, 1, 0, 0, 0)),
        cast.lena.pk: ((2, 0, 0, 0, 0), (0, 0, 0, 0, 0)),
    }
    assert reconcile() == drift
    assert cli(["loads"]) == 1  # the check names both and fails
    assert f"user {cast.ravi.pk}: kept (0, 5, 0, 1, 0)" in capsys.readouterr().out
    assert cli(["loads", "--repair"]) == 0
    assert reconcile() == {}
    assert cli(["loads"]) == 0
    assert "ok: every load matches" in capsys.readouterr().out
    assert ticket.assignee_id == cast.ravi.pk


def test_the_triggers_count_the_statuses_the_code_calls_open() -> None:
    migration = importlib.import_module("helpline.tickets.migrations.0015_open_load")
    assert "(" + ", ".join(f"'{s.value}'" for s in OPEN_STATUSES) + ")" == migration.OPEN


def test_the_migration_fills_the_rows_from_the_tickets_that_exist(cast) -> None:
    cast.triage(cast.ticket(priority="C1"), assignee=cast.lena.pk)
    OpenLoad.objects.all().delete()
    migration = importlib.import_module("helpline.tickets.migrations.0015_open_load")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert selectors.open_counts_kept() == {cast.lena.pk: (1, 0, 0, 0, 0)}
