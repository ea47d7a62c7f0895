"""Domain errors: each maps to one HTTP status and a machine-readable ``code``.

Services raise these; the API turns them into ``{"detail": ..., "code": ...}``, the CLI into one
line on stderr. Nothing here knows about HTTP frameworks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class HelplineError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra


class InvalidInput(HelplineError):
    status = 422
    code = "invalid"


class NotFound(HelplineError):
    status = 404
    code = "not_found"


class Forbidden(HelplineError):
    status = 403
    code = "forbidden"


class Conflict(HelplineError):
    status = 409
    code = "conflict"


class TransitionRefused(Conflict):
    code = "transition_not_allowed"

    def __init__(self, detail: str, *, allowed: Sequence[str]) -> None:
        super().__init__(detail, allowed=sorted(allowed))
