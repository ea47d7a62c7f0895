"""What accounts tell listeners (the audit trail, for one): sent by the services, after the
write, inside its transaction. Sign-ins and failed sign-ins are Django's own
``user_logged_in`` / ``user_login_failed`` / ``user_logged_out``; two-factor changes are
allauth's ``allauth.mfa.signals`` (``authenticator_added``, ``authenticator_removed``,
``authenticator_reset``). Nothing here decides anything: a receiver that fails fails the write.
"""

from __future__ import annotations

from django.dispatch import Signal

#: ``token``: the ApiToken just created (its raw value is never sent).
token_created = Signal()
#: ``user``: whose tokens; ``tokens``: the ids revoked now (one, or all of a reset).
tokens_revoked = Signal()
#: ``user``: whose sessions; ``by``: who ended them (the user, an admin, or None for a password
#: reset); ``count``: how many.
sessions_ended = Signal()
#: ``user``: whose password was reset.
password_reset_done = Signal()
