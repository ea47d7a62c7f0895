"""The escalation chain is policy data: seeded with docs/policy.md's defaults, versioned with the
rest of the policy, edited in the admin (a save publishes a version; a name nobody knows is
refused), and written into every version made before it existed (the data migration)."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.test import Client

from helpline.core.errors import InvalidInput
from helpline.outbox.conftest import admin_client
from helpline.sla import selectors, services
from helpline.sla.models import EscalationStep, PolicyVersion, Priority

pytestmark = pytest.mark.django_db
__all__ = ["admin_client"]  # the fixture
T = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)


def test_the_defaults_are_version_1s_chain() -> None:
    policy = selectors.current_policy()
    c1 = [(s.percent, s.notify) for s in policy.escalation_for("C1")]
    assert c1 == [
        (50, ("assignee_or_lead",)),
        (75, ("assignee", "lead")),
        (100, ("lead", "admins", "on_call")),
    ]
    assert [s.percent for s in policy.warning_steps("C3")] == [50, 75]
    assert policy.step_at("C4", 100).notify == ("lead", "admins")  # type: ignore[union-attr]


def test_an_edit_publishes_a_version_the_old_one_keeps_its_chain() -> None:
    step = EscalationStep.objects.get(priority__code="C2", percent=75)
    step.notify = "lead admins"
    step.save()
    version = services.policy_publish(note="C2 75 % to the admins", now=T)
    assert version.number == 2
    assert selectors.policy_version(version.pk).step_at("C2", 75).notify == ("lead", "admins")  # type: ignore[union-attr]
    first = PolicyVersion.objects.get(number=1)
    assert selectors.policy_version(first.pk).step_at("C2", 75).notify == ("assignee", "lead")  # type: ignore[union-attr]


def test_a_step_naming_nobody_known_is_refused_and_nothing_is_published() -> None:
    EscalationStep.objects.filter(priority__code="C3", percent=50).update(notify="the boss")
    with pytest.raises(
        InvalidInput, match="C3 at 50 % names boss, the; choose among assignee_or_lead"
    ):
        services.policy_publish(note="bad", now=T)
    assert PolicyVersion.objects.count() == 1


def _priority_form(priority: Priority, notify: dict[int, str]) -> dict[str, object]:
    steps = list(priority.escalation.order_by("percent"))
    data: dict[str, object] = {
        "code": priority.code,
        "rank": priority.rank,
        "name": priority.name,
        "description": priority.description,
        "escalation-TOTAL_FORMS": len(steps),
        "escalation-INITIAL_FORMS": len(steps),
        "escalation-MIN_NUM_FORMS": 0,
        "escalation-MAX_NUM_FORMS": 1000,
    }
    for i, step in enumerate(steps):
        data |= {
            f"escalation-{i}-id": step.pk,
            f"escalation-{i}-priority": priority.pk,
            f"escalation-{i}-percent": step.percent,
            f"escalation-{i}-notify": notify.get(step.percent, step.notify),
        }
    return data


def test_the_admin_edits_the_chain_on_the_priority(admin_client: Client) -> None:
    c3 = Priority.objects.get(code="C3")
    url = f"/admin/sla/priority/{c3.pk}/change/"
    assert admin_client.get(url).status_code == 200
    refused = admin_client.post(url, _priority_form(c3, {50: "assignee nobody"}))
    assert refused.status_code == 200 and "unknown: nobody" in refused.content.decode()
    assert EscalationStep.objects.get(priority=c3, percent=50).notify == "assignee_or_lead"
    admin_client.post(url, _priority_form(c3, {50: "assignee lead"}), follow=True)
    latest = selectors.current_policy()
    assert latest.number == 2
    assert latest.step_at("C3", 50).notify == ("assignee", "lead")  # type: ignore[union-attr]


def test_the_data_migration_writes_the_defaults_into_older_versions() -> None:
    version = PolicyVersion.objects.get(number=1)
    snapshot = dict(version.snapshot)
    del snapshot["escalation"]  # as version 1 was written before the chain existed
    PolicyVersion.objects.filter(pk=version.pk).update(snapshot=snapshot, digest="old")
    migration = import_module("helpline.sla.migrations.0003_escalation_chain")
    migration.seed_chain(django_apps, None)
    version.refresh_from_db()
    assert version.snapshot["escalation"] == services.escalation_snapshot(services._Models)
    assert version.digest == services.snapshot_digest(version.snapshot)
    assert services.policy_publish(now=T).number == 1  # the tables say the same: no new version
