"""What accounts tell listeners: sent by the services, after the write, inside its
transaction. The audit trail needs none of these: it hears API tokens through their model's
save signals and records ended sessions and a reset's revoked tokens in the services.
Sign-ins and failed sign-ins are Django's own ``user_logged_in`` / ``user_login_failed`` /
``user_logged_out``; two-factor changes are allauth's ``allauth.mfa.signals``
(``authenticator_added``, ``authenticator_removed``, ``authenticator_reset``). Nothing here
decides anything: a receiver that fails fails the write.
"""

from __future__ import annotations

from django.dispatch import Signal

#: ``user``: whose sessions; ``by``: who ended them (the user, an admin, or None for a password
#: reset); ``count``: how many.
sessions_ended = Signal()
