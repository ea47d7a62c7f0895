"""The signed-in person's own notification preferences: GET/PUT /me/notification-preferences."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from helpline.accounts.models import User
from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import In, errors
from helpline.notifications import selectors, services
from helpline.outbox.models import Preference

router = Router(tags=["notifications"], auth=AUTH)
PATH = "/me/notification-preferences"
# A local time of day, "HH:MM" (in the person's zone: not an RFC 3339 time with an offset).
LocalTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["22:00"])]


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def _hhmm(value: time | str | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%H:%M") if isinstance(value, time) else str(value)[:5]


class PreferencesIn(In):
    email: bool = Field(True, description="Mail for what you hear of")
    whatsapp: bool = Field(True, description="WhatsApp for urgent things (needs a number)")
    muted: list[str] = Field(
        default_factory=list, max_length=50, description="Event kinds you do not want (not C1)"
    )
    whatsapp_muted: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Event kinds you want by email only, not on WhatsApp (not C1)",
    )
    quiet_start: LocalTime | None = Field(None, description="Quiet hours, your zone (not C1)")
    quiet_end: LocalTime | None = None
    digest: bool = Field(False, description="One mail a day at digest_at instead (not C1)")
    digest_at: LocalTime = "09:00"
    whatsapp_number: str = Field("", max_length=40, description="E.164, e.g. +919800000001")


class PreferencesOut(Schema):
    email: bool
    whatsapp: bool
    muted: list[str]
    whatsapp_muted: list[str]
    quiet_start: LocalTime | None
    quiet_end: LocalTime | None
    digest: bool
    digest_at: LocalTime
    whatsapp_number: str
    time_zone: str = Field(..., description="The zone quiet hours and the digest time are in")
    event_kinds: dict[str, str] = Field(..., description="Every kind that may be muted")


def _out(user: User, pref: Preference) -> dict[str, Any]:
    return {
        "email": pref.email,
        "whatsapp": pref.whatsapp,
        "muted": list(pref.muted or []),
        "whatsapp_muted": list(pref.whatsapp_muted or []),
        "quiet_start": _hhmm(pref.quiet_start),
        "quiet_end": _hhmm(pref.quiet_end),
        "digest": pref.digest,
        "digest_at": _hhmm(pref.digest_at),
        "whatsapp_number": user.whatsapp,
        "time_zone": selectors.time_zone_of(user),
        "event_kinds": services.EVENT_KINDS,
    }


@router.get(PATH, response={200: PreferencesOut, **errors()})
def get_preferences(request: HttpRequest) -> Any:
    user = user_of(request)
    return _out(user, selectors.preference_of(user))


@router.put(PATH, response={200: PreferencesOut, **errors()})
def put_preferences(request: HttpRequest, payload: PreferencesIn) -> Any:
    user = user_of(request)
    pref = services.preference_update(
        user=user,
        email=payload.email,
        whatsapp=payload.whatsapp,
        muted=payload.muted,
        whatsapp_muted=payload.whatsapp_muted,
        quiet_start=_time(payload.quiet_start),
        quiet_end=_time(payload.quiet_end),
        digest=payload.digest,
        digest_at=_time(payload.digest_at) or time(9, 0),
        whatsapp_phone=payload.whatsapp_number,
    )
    return _out(user, pref)
