"""Reads about people."""

from __future__ import annotations

from collections.abc import Collection
from zoneinfo import ZoneInfo

from allauth.mfa.models import Authenticator
from django.db.models import Q

from helpline.accounts import access
from helpline.accounts.models import ApiToken, Role, Team, User
from helpline.core.errors import InvalidInput, NotFound
from helpline.core.prepared import Prepared
from helpline.core.validation import id_in_range
from helpline.core.zones import zone_or_default


def has_second_factor(user: User) -> bool:
    """An authenticator app or a passkey (recovery codes alone are not a factor)."""
    return Authenticator.objects.filter(
        user=user, type__in=(Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
    ).exists()


def user_by_id(user_id: int) -> User:
    if not id_in_range(user_id):
        raise NotFound("user not found")
    user = User.objects.select_related("merchant").filter(pk=user_id).first()
    if user is None:
        raise NotFound("user not found")
    return user


def user_by_email(email: str) -> User:
    user = user_with_email(email)
    if user is None:
        raise NotFound(f"no user with e-mail {email}")
    return user


def staff_member(user_id: int, *, field: str = "assignee") -> User:
    """A staff user named in a request body (422 when there is none)."""
    user = active_user(user_id)  # None for an id out of range too
    if user is None or not access.is_staff(user):
        raise InvalidInput(
            f"{field}: no member of staff with id {user_id}", code=f"invalid_{field}"
        )
    return user


def team_by_id(team_id: int) -> Team:
    if not id_in_range(team_id):
        raise InvalidInput(f"team: no team with id {team_id}", code="invalid_team")
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise InvalidInput(f"team: no team with id {team_id}", code="invalid_team")
    return team


def teams() -> list[Team]:
    """Every team, by name (the console's team filter)."""
    return list(Team.objects.order_by("name"))


def staff_members() -> list[User]:
    """Active staff, by name: the people a ticket can be assigned to."""
    return list(
        User.objects.filter(is_active=True, role__in=sorted(access.STAFF_ROLES)).order_by(
            "first_name", "email"
        )
    )


def admins() -> list[User]:
    """Active administrators, by id: the last step of every escalation."""
    return list(User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk"))


def engineers() -> list[User]:
    """Active engineers, by name: who a developer ticket can go to."""
    return list(
        User.objects.filter(is_active=True, role=Role.ENGINEER).order_by("first_name", "email")
    )


def token_for(*, actor: User, token_id: int) -> ApiToken:
    """A token the actor may revoke: their own, or any for an admin."""
    if not id_in_range(token_id):
        raise NotFound("token not found")
    qs = ApiToken.objects.filter(pk=token_id)
    if not access.is_admin(actor):
        qs = qs.filter(user=actor)
    token = qs.first()
    if token is None:
        raise NotFound("token not found")
    return token


def merchant_users_by_whatsapp(phone: str) -> list[User]:
    """Active merchant users whose WhatsApp number is ``phone`` (E.164, or without the +)."""
    digits = phone.lstrip("+")
    return list(
        User.objects.filter(
            role=Role.MERCHANT, is_active=True, whatsapp__in=[f"+{digits}", digits]
        ).order_by("pk")
    )


def active_user(user_id: int, *, role: str | None = None) -> User | None:
    """An active user by id (of ``role`` when given), or None: the caller says what is wrong."""
    if not id_in_range(user_id):
        return None
    users = User.objects.filter(pk=user_id, is_active=True)
    if role is not None:
        users = users.filter(role=role)
    return users.first()


def active_merchant_user(user_id: int) -> User | None:
    """An active merchant user by id with their merchant (one query), or None."""
    return (
        User.objects.select_related("merchant")
        .filter(pk=user_id, is_active=True, role=Role.MERCHANT)
        .first()
    )


def user_with_email(email: str) -> User | None:
    """Whoever holds this address (case and spaces aside), active or not, with their merchant:
    an address is one account."""
    return User.objects.select_related("merchant").filter(email=email.strip().lower()).first()


def merchant_users(
    merchant_ids: Collection[int] | None = None, *, by_name: bool = False
) -> list[User]:
    """The active users of these merchants (of every merchant when None), each with their
    merchant; by id, or by name."""
    users = User.objects.filter(role=Role.MERCHANT, is_active=True).select_related("merchant")
    if merchant_ids is not None:
        users = users.filter(merchant_id__in=sorted(merchant_ids))
    return list(users.order_by("first_name", "email") if by_name else users.order_by("pk"))


def merchant_user(user_id: int) -> User:
    """A merchant user named in a request body (422 when there is none)."""
    user = active_user(user_id, role=Role.MERCHANT)
    if user is None:
        raise InvalidInput(f"no merchant user with id {user_id}", code="invalid_requester")
    return user


# Mail ingestion asks this for every message, hence a Prepared read. An address is
# unique: a slice, not ``first()`` (no ORDER BY; decision 0070).
_merchant_user_by_email: Prepared[User] = Prepared(
    lambda email: User.objects.filter(
        email=email, is_active=True, merchant__isnull=False
    ).select_related("merchant")[:1],
    email=str,
)


def merchant_user_by_email(email: str) -> User | None:
    """The active merchant user at this (normalised) address, with their merchant."""
    return next(iter(_merchant_user_by_email(email=email)), None)


def team_leads() -> list[User]:
    """The lead of every team that has one (one each, active or not; the caller decides)."""
    teams = Team.objects.filter(lead__isnull=False).select_related("lead").order_by("pk")
    return [team.lead for team in teams if team.lead is not None]


def account_managers() -> list[User]:
    """The active account managers, by name (whom an admin may assign to a store)."""
    return list(
        User.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True).order_by(
            "first_name", "email"
        )
    )


def account_manager_deciders() -> list[User]:
    """Who hears of a request for account-manager support: the active admins and the active
    leads of teams with an account manager in them (their lead or a member); each once."""
    leads = User.objects.filter(
        Q(teams_led__members__role=Role.ACCOUNT_MANAGER)
        | Q(teams_led__lead__role=Role.ACCOUNT_MANAGER)
    )
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.ADMIN) | Q(pk__in=leads.values("pk")))
        .order_by("pk")
    )


def zone_for(user: User) -> ZoneInfo:
    """The zone times are shown to ``user`` in: a merchant user's merchant's zone; staff their
    own; else the installation's display zone (an empty or unknown name is passed over)."""
    merchant_zone = user.merchant.time_zone if user.merchant_id and user.merchant else ""
    return zone_or_default(merchant_zone, user.time_zone)


def staff_by_email(emails: Collection[str]) -> dict[str, User]:
    """Active staff by their (lower-cased) address, for the addresses given."""
    wanted = sorted({e.strip().lower() for e in emails})
    found = User.objects.filter(
        is_active=True, role__in=sorted(access.STAFF_ROLES), email__in=wanted
    )
    return {u.email.lower(): u for u in found}
