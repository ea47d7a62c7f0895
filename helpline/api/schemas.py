"""Shared API schemas: the error shape, the base of every input schema, bounded types."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, model_validator

from helpline.core.validation import MAX_ID, bounded_instant, has_control


class ErrorOut(Schema):
    detail: Any
    code: str


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Declare the error responses of an operation (every operation may answer 400 — a body that
    is not JSON —, 401 and 422)."""
    return {status: ErrorOut for status in {*statuses, 400, 401, 422}}


class Out(BaseModel):
    """An output schema for answers the endpoint builds as dicts (the ticket list, a ticket):
    plain pydantic, validated in pydantic-core. ninja's ``Schema`` wraps every object it
    validates in a Python ``DjangoGetter`` (for ORM objects) — a third of the CPU of a page
    of 50 tickets with their 100 clocks."""


class In(Schema):
    """Every input schema: text with a control character (NUL, \\x0b …; tab, newline and CR
    aside) is refused (422) at the door — PostgreSQL cannot store NUL, a spreadsheet export
    cannot hold the others, and no person types one."""

    @model_validator(mode="after")
    def _no_control(self) -> Any:
        if has_control(dict(self.__dict__)):
            raise ValueError("text must not contain control characters (NUL, …)")
        return self


# An id that fits the database's 64-bit columns.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# An aware instant, stored in UTC, within the years a database (and a support desk) can hold.
Instant = Annotated[AwareDatetime, AfterValidator(bounded_instant)]
