"""Reads about people."""

from __future__ import annotations

from helpline.accounts import access
from helpline.accounts.models import ApiToken, Role, Team, User
from helpline.core.errors import InvalidInput, NotFound
from helpline.core.validation import id_in_range


def user_by_id(user_id: int) -> User:
    if not id_in_range(user_id):
        raise NotFound("user not found")
    user = User.objects.select_related("merchant").filter(pk=user_id).first()
    if user is None:
        raise NotFound("user not found")
    return user


def user_by_email(email: str) -> User:
    user = User.objects.select_related("merchant").filter(email=email.strip().lower()).first()
    if user is None:
        raise NotFound(f"no user with e-mail {email}")
    return user


def staff_member(user_id: int, *, field: str = "assignee") -> User:
    """A staff user named in a request body (422 when there is none)."""
    if not id_in_range(user_id):
        raise InvalidInput(
            f"{field}: no member of staff with id {user_id}", code=f"invalid_{field}"
        )
    user = User.objects.filter(pk=user_id, is_active=True).first()
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
