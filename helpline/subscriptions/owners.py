"""Who owns a new root-cause report (decision 0229): ``ROOT_CAUSE_OWNER`` is "on-call" (whoever
is on call when it becomes owed, else a team lead), "lead" (the first team lead), or the
address of a staff member. Registered with monitoring, which knows no rota."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from helpline.accounts import selectors as account_selectors
from helpline.routing import selectors as routing


def _lead() -> int | None:
    leads = [u for u in account_selectors.team_leads() if u.is_active]
    return leads[0].pk if leads else None


def root_cause_owner(at: datetime) -> int | None:
    choice = settings.ROOT_CAUSE_OWNER
    if choice == "lead":
        return _lead()
    if choice != "on-call":
        named = account_selectors.user_with_email(choice)
        if named is not None and named.is_active and named.role != "merchant":
            return named.pk
        return _lead()
    on_call = routing.on_call_at(at)
    return on_call[0].pk if on_call else _lead()
