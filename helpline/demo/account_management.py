"""Demo data for account management, through the services: the account manager's
subscriptions, a developer ticket with an ETA on a managed store's ticket, a call request, a
logged call, an upcoming training session and a note on the progress sheet."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from helpline.account_management import services as am_services
from helpline.accounts import services as accounts
from helpline.billing import services as billing
from helpline.core.errors import HelplineError
from helpline.engineering import services as engineering
from helpline.tickets.models import Status, Ticket


def load(*, cast: Any, now: Any) -> None:
    people = cast.people
    rohan, admin = people["rohan"], people["anita"]
    accounts.team_create(name="Account management", lead=rohan, members=[rohan])
    managed = [s for stores in cast.stores.values() for s in stores if s.account_manager_id]
    first_month = date(now.year - (now.month <= 3), (now.month - 4) % 12 + 1, 1)
    for store in managed:
        # Assigned when the stores were made; the subscriptions date from the first month.
        billing.subscription_open(
            store=store,
            monthly_charge_inr=Decimal("4999"),
            starts_on=first_month,
            created_by=admin,
            now=now,
        )
    open_work = (
        Ticket.objects.filter(store__in=managed, status__in=[Status.TRIAGED, Status.IN_PROGRESS])
        .select_related("store")
        .order_by("-pk")
        .first()
    )
    if open_work is not None:
        try:
            dev = engineering.devticket_open(
                actor=rohan,
                title=f"Investigate: {open_work.subject}"[:200],
                description="Raised from the account manager's review of the progress sheet.",
                ticket_ids=[open_work.pk],
                engineer_id=people["dev"].pk,
                eta=now + timedelta(days=3),
                now=now,
            )
            engineering.devticket_update(
                actor=people["dev"], dev=dev, status="in_progress", now=now
            )
            am_services.sheet_note_set(
                actor=rohan,
                ticket=open_work,
                note=f"With engineering ({dev.reference}); I will call when it is fixed.",
                now=now,
            )
        except HelplineError:  # a story left it in a state that refuses it: no matter
            pass
    store = managed[0]
    merchant_user = people[cast.users_of[store.merchant.slug][0]]
    am_services.call_request_create(
        actor=merchant_user,
        store=store,
        preferred_times="Any weekday, 11:00–13:00",
        topic="Festive season catalogue",
        now=now - timedelta(hours=5),
    )
    am_services.contact_log(
        actor=rohan,
        store=store,
        channel="call",
        summary="Monthly review: walked through the progress sheet; no blockers.",
        happened_at=now - timedelta(days=2),
        now=now - timedelta(days=2),
    )
    am_services.meeting_schedule(
        actor=rohan,
        store=store,
        channel="training",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=1),
        link="https://meet.example/helpline-training",
        summary="Training: bulk product uploads and discount rules",
        now=now,
    )
