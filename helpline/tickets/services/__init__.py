"""Every write to a ticket. The API, the web, mail, the worker and the CLI all call these.

One service per action, each in one transaction: it locks the ticket row, checks who may do it
(404, then 403, then 409 — see ``tickets.access`` and ``lifecycle``), changes the ticket and
its clocks through a ``change.TicketChange``, and writes a ``TicketEvent`` for every change
(``tickets.events``). ``now`` is an argument (tests pass it). Keyword-only arguments.

- ``create``: ``ticket_create``
- ``messages``: ``ticket_reply``, ``ticket_record``, ``ticket_system_note``,
  ``ticket_incident_update``
- ``actions``: ``ticket_triage``, ``ticket_start``, ``ticket_workaround``, ``ticket_resolve``,
  ``ticket_close``, ``ticket_reopen``, ``ticket_withdraw``
- ``update``: ``ticket_update``
- ``assign``: ``ticket_assign``, ``ticket_unrouted`` — the owner routing chose, or why nobody
- ``change``: ``TicketChange``, ``write_events`` — the change API other services build on
  (sweeps, incidents, billing's quotes, engineering's escalations)
"""

from helpline.tickets.services.actions import (
    ticket_close,
    ticket_reopen,
    ticket_resolve,
    ticket_start,
    ticket_triage,
    ticket_withdraw,
    ticket_workaround,
)
from helpline.tickets.services.assign import ticket_assign, ticket_unrouted
from helpline.tickets.services.create import ticket_create
from helpline.tickets.services.messages import (
    ticket_incident_update,
    ticket_record,
    ticket_reply,
    ticket_system_note,
)
from helpline.tickets.services.update import ticket_update

__all__ = [
    "ticket_assign",
    "ticket_close",
    "ticket_create",
    "ticket_incident_update",
    "ticket_record",
    "ticket_reopen",
    "ticket_reply",
    "ticket_resolve",
    "ticket_start",
    "ticket_system_note",
    "ticket_triage",
    "ticket_unrouted",
    "ticket_update",
    "ticket_withdraw",
    "ticket_workaround",
]
