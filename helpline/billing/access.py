"""Who may see quotes, on top of ``accounts.access`` (billing is not for engineers) and
``tickets.access`` (the quotes of the tickets one sees)."""

from __future__ import annotations

from django.db.models import Q

from helpline.accounts.access import NOTHING, sees_billing
from helpline.accounts.models import User
from helpline.tickets import access as ticket_access


def quote_scope(user: User | None) -> Q:
    """A filter on Quote: the quotes of the tickets ``user`` sees, unless an engineer."""
    if not sees_billing(user):
        return NOTHING
    scope = ticket_access.ticket_scope(user)
    return Q(ticket__in=ticket_access.visible_ticket_ids(user)) if scope != Q() else Q()
