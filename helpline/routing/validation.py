"""Checks on what people say about agents: skills, languages, shifts, leave. Each refusal is
an ``InvalidInput`` naming the field, the one line the API, the admin and the CLI show."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time

from django.conf import global_settings

from helpline.core.errors import InvalidInput
from helpline.sla import selectors as sla

# Django's list of language codes (en, hi, ta, bn, mr, …): the codes a merchant's language and
# an agent's languages are spelt in.
LANGUAGES: dict[str, str] = dict(global_settings.LANGUAGES)
MINUTES_A_WEEK = 7 * 24 * 60
LONGEST_LEAVE_DAYS = 366


@dataclass(frozen=True)
class ShiftSpec:
    """One weekly span of a shift pattern, as given (local times in the agent's zone)."""

    weekday: int
    start: time
    end: time
    label: str = field(default="", compare=False)  # how errors name it ("row 7"); else index


def skills(codes: Iterable[str], *, field: str = "skills") -> list[str]:
    """Issue type codes of the current policy, each once, in order given."""
    known = sla.current_policy().issue_types
    out: list[str] = []
    for code in codes:
        if code not in known:
            raise InvalidInput(
                f"{field}: {code!r} is not an issue type of the current policy "
                f"(known: {', '.join(sorted(known))})",
                code=f"invalid_{field}",
                field=field,
            )
        if code not in out:
            out.append(code)
    return out


def languages(codes: Iterable[str]) -> list[str]:
    """Known language codes (Django's list), lower-cased, each once."""
    out: list[str] = []
    for raw in codes:
        code = raw.strip().lower()
        if code not in LANGUAGES:
            raise InvalidInput(
                f"languages: {raw!r} is not a known language code (e.g. en, hi, ta, bn)",
                code="invalid_languages",
                field="languages",
            )
        if code not in out:
            out.append(code)
    return out


def _minutes(spec: ShiftSpec) -> tuple[int, int]:
    begin = spec.weekday * 1440 + spec.start.hour * 60 + spec.start.minute
    length = (spec.end.hour * 60 + spec.end.minute) - (spec.start.hour * 60 + spec.start.minute)
    return begin, begin + (length if length > 0 else length + 1440)


def week(specs: Sequence[ShiftSpec], *, field: str = "shifts") -> list[ShiftSpec]:
    """A week of shifts: weekdays 0–6 (Monday 0), whole minutes, no two overlapping (a shift
    whose end is at or before its start runs past midnight; Sunday night runs into Monday)."""
    spans = []
    names = [spec.label or f"{field}[{i}]" for i, spec in enumerate(specs)]
    for i, spec in enumerate(specs):
        if not 0 <= spec.weekday <= 6:
            raise InvalidInput(
                f"{names[i]}.weekday: {spec.weekday} is not 0 (Monday) to 6 (Sunday)",
                code=f"invalid_{field}",
                field=field,
            )
        if spec.start.second or spec.end.second or spec.start.microsecond:
            raise InvalidInput(
                f"{names[i]}: times are whole minutes (HH:MM)", code=f"invalid_{field}"
            )
        begin, end = _minutes(spec)
        spans += [(begin, end, i), (begin + MINUTES_A_WEEK, end + MINUTES_A_WEEK, i)]
    spans.sort()
    reach, reached_by = -1, -1
    for begin, end, i in spans:
        if begin < reach and i != reached_by:
            first, second = sorted((i, reached_by))
            raise InvalidInput(
                f"{names[second]} overlaps {names[first]}: one agent works one shift at a time",
                code=f"invalid_{field}",
                field=field,
            )
        if end > reach:
            reach, reached_by = end, i
    return sorted(specs, key=lambda s: (s.weekday, s.start))


def leave_span(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise InvalidInput(
            "ends_on: the leave ends before it starts", code="invalid_leave", field="ends_on"
        )
    if (ends_on - starts_on).days >= LONGEST_LEAVE_DAYS:
        raise InvalidInput(
            f"ends_on: one entry of leave is at most {LONGEST_LEAVE_DAYS} days",
            code="invalid_leave",
            field="ends_on",
        )
