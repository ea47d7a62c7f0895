"""Shared API schemas: the error shape and helpers to declare error responses."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: Any
    code: str


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Declare the error responses of an operation (every operation may answer 400 — a body that
    is not JSON —, 401 and 422)."""
    return {status: ErrorOut for status in {*statuses, 400, 401, 422}}
