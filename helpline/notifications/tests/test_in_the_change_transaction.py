"""A ticket change's notifications are written in its transaction (house rule 6)."""

from __future__ import annotations

import pytest
from django.db import transaction

from helpline.conftest import T0
from helpline.outbox.models import Outbox

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def test_a_notification_commits_with_its_change_or_not_at_all(cast) -> None:
    def change_that_fails_after_notifying() -> None:
        with transaction.atomic():
            cast.ticket(subject="Checkout down", description="500 on pay", at=T0)
            assert Outbox.objects.filter(recipient="alice@acme.test").exists()
            raise Rollback

    with pytest.raises(Rollback):
        change_that_fails_after_notifying()
    assert not Outbox.objects.exists()
