"""The reader's zone for every request: a merchant user's merchant's, a staff member's own, else
the installation's. Activated for the whole request, so that Django's admin reads and shows
typed times in it, and given to every template as ``tz`` (a view may pass its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from helpline.accounts.models import User
from helpline.accounts.selectors import zone_for
from helpline.core.zones import zone_or_default


class ReaderZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = isinstance(user, User) and user.is_authenticated
        zone = zone_for(user) if signed_in else zone_or_default()  # type: ignore[arg-type]
        with timezone.override(zone):
            return self.get_response(request)


def reader_zone(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``tz``, the zone the page's times are written in."""
    return {"tz": timezone.get_current_timezone()}
