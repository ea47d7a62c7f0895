"""Writes about people: users, teams, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from helpline.accounts.models import ApiToken, Role, Team, User
from helpline.audit import chain as audit
from helpline.core import clock
from helpline.core.errors import Conflict, InvalidInput
from helpline.core.prepared import Prepared
from helpline.core.validation import has_nul
from helpline.core.zones import known_zone

TOKEN_PREFIX = "hl_"  # noqa: S105 - a public marker that makes tokens recognisable, not a secret
LAST_USED_GRANULARITY = timedelta(minutes=1)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def user_create(
    *,
    email: str,
    role: str,
    merchant_id: int | None = None,
    password: str | None = None,
    password_hash: str | None = None,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    whatsapp: str = "",
) -> User:
    """``merchant_id``: the merchant a merchant user belongs to (the caller looks it up: accounts
    sits below merchants). ``password_hash``: instead of ``password``, one ``make_password`` made
    already (the demo hashes each of its shared passwords once: a hash costs ~0.2 s by design)."""
    if password is not None and password_hash is not None:
        raise InvalidInput("give a password or its hash, not both", code="invalid_password")
    email = (email or "").strip().lower()
    if has_nul([email, first_name, last_name, phone, whatsapp, password or ""]):
        raise InvalidInput("text must not contain NUL characters", code="invalid_text")
    try:
        validate_email(email)
    except DjangoValidationError:
        raise InvalidInput(f"{email!r} is not an e-mail address", code="invalid_email") from None
    if role not in Role.values:
        raise InvalidInput(
            f"unknown role {role!r}; one of: {', '.join(Role.values)}", code="invalid_role"
        )
    if role == Role.MERCHANT and merchant_id is None:
        raise InvalidInput("a merchant user needs a merchant", code="merchant_required")
    if role != Role.MERCHANT and merchant_id is not None:
        raise InvalidInput("only merchant users belong to a merchant", code="merchant_not_allowed")
    if User.objects.filter(email=email).exists():
        raise Conflict(f"a user with e-mail {email} exists already", code="user_exists")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password,
                role=role,
                merchant_id=merchant_id,
                first_name=first_name,
                last_name=last_name,
                phone=phone,
                whatsapp=whatsapp,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
            if password_hash is not None:
                user.password = password_hash
                user.save(update_fields=["password"])
            return user
    except IntegrityError:
        raise Conflict(f"a user with e-mail {email} exists already", code="user_exists") from None


def team_create(*, name: str, lead: User | None = None, members: list[User] | None = None) -> Team:
    if Team.objects.filter(name=name).exists():
        raise Conflict(f"team {name!r} exists already", code="team_exists")
    team = Team.objects.create(name=name, lead=lead)
    if members:
        team.members.set(members)
    return team


def team_update(
    *, team: Team, name: str, lead: User | None, members: list[User] | None = None
) -> Team:
    """A team's name, lead and (when given) members."""
    if Team.objects.filter(name=name).exclude(pk=team.pk).exists():
        raise Conflict(f"team {name!r} exists already", code="team_exists")
    team.name, team.lead = name, lead
    team.save(update_fields=["name", "lead"])
    if members is not None:
        team.members.set(members)
    return team


def token_create(
    *, user: User, name: str = "", read_only: bool = False, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user`` (``read_only``: every write with it is refused). The raw token
    is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[:10],
        digest=token_digest(raw),
        created_at=now or clock.now(),
        read_only=read_only,
    )
    return token, raw


# Every API request reads this, hence a Prepared read. Digests are unique: a slice.
_token_with_user: Prepared[ApiToken] = Prepared(
    lambda digest: ApiToken.objects.select_related("user", "user__merchant").filter(
        digest=digest, revoked_at__isnull=True, user__is_active=True
    )[:1],
    digest=str,
)


def token_authenticate(raw: str, *, now: datetime | None = None) -> User | None:
    """The active user owning this token, or None. Records last use at most once a minute."""
    row = token_find(raw, now=now)
    return row.user if row is not None else None


def token_find(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token (with its active user) for this raw value, or None. Records last use at
    most once a minute."""
    if not raw or len(raw) > 200:
        return None
    found = _token_with_user(digest=token_digest(raw))
    if not found:
        return None
    row = found[0]
    now = now or clock.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_GRANULARITY:
        # Conditional: concurrent requests within the minute write once.
        ApiToken.objects.filter(pk=row.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_GRANULARITY)
        ).update(last_used_at=now)
    return row


def token_revoke(*, token: ApiToken, now: datetime | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = now or clock.now()
        token.save(update_fields=["revoked_at"])
    return token


def password_reset_set(
    *, user: User, password: str, revoke_tokens: bool = True, now: datetime | None = None
) -> int:
    """Set a new password after a reset: whoever reset it may be taking the account back from
    someone who had it, so every session of the account ends and, with ``revoke_tokens`` (the
    setting ``HELPLINE_RESET_REVOKES_TOKENS``), every API token is revoked; how many tokens."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        sessions_end(user=user, by=None)
        if not revoke_tokens:
            return 0
        ids = list(
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).values_list("pk", flat=True)
        )
        at = now or clock.now()
        ApiToken.objects.filter(pk__in=ids).update(revoked_at=at)
        for pk in ids:  # a bulk update sends no save signal: each revocation recorded here
            audit.record(
                action="change",
                object_type=ApiToken._meta.label,
                object_id=pk,
                before={"revoked_at": None},
                after={"revoked_at": at.isoformat(), "_why": "password reset"},
                subject_id=user.pk,
            )
        return len(ids)


def sso_address_vouch(*, user: User) -> None:
    """Records the account's address as verified for allauth: an admin gave it, so a single
    sign-on that matches it links the account without allauth's guard against accounts signed
    up under somebody else's address (which wipes the password; nobody signs up here)."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def sessions_end(
    *,
    user: User,
    by: User | None,
    session_ids: Collection[int] | None = None,
    keep_session_key: str = "",
) -> int:
    """End sessions of ``user`` (all, or those of ``session_ids``), except the one whose key is
    ``keep_session_key`` (the caller's own): the browser is signed out at its next request.
    ``by``: who ended them (the user, an admin; None for a password reset). How many ended."""
    found = UserSession.objects.filter(user=user)
    if session_ids is not None:
        found = found.filter(pk__in=list(session_ids))
    if keep_session_key:
        found = found.exclude(session_key=keep_session_key)
    ended = 0
    for session in found:
        session.end()  # deletes the session from the session store and the row
        ended += 1
    if ended:
        audit.record(
            action="sessions_ended",
            object_type=User._meta.label,
            object_id=user.pk,
            after={"ended": ended},
            subject_id=user.pk,
            actor=by,
        )
    return ended


def user_whatsapp_set(*, user: User, whatsapp: str) -> User:
    """Set (or clear, with "") the WhatsApp number; the caller validated its form."""
    if has_nul([whatsapp]):
        raise InvalidInput("text must not contain NUL characters", code="invalid_text")
    if user.whatsapp != whatsapp:
        user.whatsapp = whatsapp
        user.save(update_fields=["whatsapp"])
    return user


def user_time_zone_set(*, user: User, time_zone: str) -> User:
    """Set the zone every time is shown to a staff member in ("" : the installation's). Only an
    IANA name ("Europe/London") is taken: anything else is refused and nothing changes."""
    name = (time_zone or "").strip()
    if name and known_zone(name) is None:
        raise InvalidInput(
            f"{name!r} is not a time zone: use an IANA name such as Asia/Kolkata or Europe/London",
            code="invalid_time_zone",
        )
    if user.time_zone != name:
        user.time_zone = name
        user.save(update_fields=["time_zone"])
    return user
