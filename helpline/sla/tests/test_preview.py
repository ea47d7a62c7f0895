"""The SLA preview: API and CLI give the same answers; bad input is 422, never 500."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest
from django.test import Client

from helpline.cli import main as cli_main
from helpline.sla.models import Holiday, HolidayYear, PolicyVersion

pytestmark = pytest.mark.django_db


def api_preview(**params: Any) -> Any:
    response = Client().get(
        "/api/v1/sla/preview", {k: v for k, v in params.items() if v is not None}
    )
    return response.status_code, response.json()


def cli_preview(**params: Any) -> tuple[int, Any]:
    argv = ["sla", "preview"]
    for key, value in params.items():
        if value is not None:
            argv += [f"--{key.replace('_', '-')}", value]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli_main(argv)
    return code, json.loads(out.getvalue() or err.getvalue())


CASES = [
    {"priority": "C3", "issue_type": "app-submission", "at": "2026-10-01T19:00:00Z"},
    {"priority": "C2", "at": "2026-12-11T17:00:00+05:30"},
    {"issue_type": "store-down", "at": "2026-12-12T02:00:00+05:30"},
    {"priority": "C1", "at": "2026-12-12T02:00:00"},
    {"priority": "C4", "issue_type": "feature-request", "at": "2026-12-24T15:00:00+05:30"},
]


@pytest.mark.parametrize("params", CASES, ids=lambda p: "-".join(p.values()))
def test_api_and_cli_give_the_same_answer(params: dict[str, str]) -> None:
    status, from_api = api_preview(**params)
    code, from_cli = cli_preview(**params)
    assert (status, code) == (200, 0)
    assert from_api == from_cli


def test_c2_filed_friday_1700_is_due_wednesday_1700() -> None:
    _, answer = api_preview(priority="C2", at="2026-12-11T17:00:00+05:30")
    assert answer["resolution_due"] == "2026-12-16T17:00:00+05:30"
    assert answer["first_response_due"] == "2026-12-14T13:00:00+05:30"
    assert answer["clock"] == "business"


def test_at_without_offset_is_read_in_the_calendar_zone_and_answers_carry_its_offset() -> None:
    _, answer = api_preview(priority="C3", at="2026-12-07T10:00:00")
    assert answer["at"] == "2026-12-07T10:00:00+05:30"
    assert answer["first_response_due"] == "2026-12-07T18:00:00+05:30"  # stays at closing
    assert answer["resolution_due"] == "2026-12-11T18:00:00+05:30"


def test_priority_defaults_to_the_issue_types() -> None:
    _, answer = api_preview(issue_type="feature-request", at="2026-12-07T10:00:00+05:30")
    assert answer["priority"] == "C4"


def test_c1_resolution_due_is_the_workaround_deadline_around_the_clock() -> None:
    _, answer = api_preview(priority="C1", at="2026-12-12T02:00:00+05:30")  # Saturday night
    assert answer["clock"] == "24x7"
    assert answer["open_now"] is True
    assert answer["first_response_due"] == "2026-12-12T04:00:00+05:30"
    assert answer["resolution_due"] == "2026-12-12T08:00:00+05:30"
    assert answer["resolution_kind"] == "workaround"


def test_store_down_override_is_15_and_60_minutes() -> None:
    _, answer = api_preview(issue_type="store-down", at="2026-12-12T02:00:00+05:30")
    assert answer["first_response_due"] == "2026-12-12T02:15:00+05:30"
    assert answer["resolution_due"] == "2026-12-12T03:00:00+05:30"
    assert answer["resolution_target"]["overridden"] is True


def test_after_hours_answer_says_when_the_clock_starts() -> None:
    _, answer = api_preview(priority="C3", at="2026-10-01T19:00:00Z")  # already Gandhi Jayanti
    assert answer["open_now"] is False
    assert answer["clock_starts_at"] == "2026-10-05T10:00:00+05:30"
    assert "Mon 5 Oct 2026, 10:00 IST" in answer["note"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"priority": "C9"}, "unknown_priority"),
        ({"priority": "C3", "issue_type": "nope"}, "unknown_issue_type"),
        ({"priority": "C3", "at": "yesterday"}, "invalid_at"),
        ({"priority": "C3", "at": "2026-13-01T10:00"}, "invalid_at"),
        ({"priority": "C3", "at": "2150-01-05T10:00:00+05:30"}, "year_not_covered"),
        ({"priority": "C3", "at": "1900-01-05T10:00:00+05:30"}, "year_not_covered"),
        # The package's Indian lunar holidays end in 2035: no complete data, no promise.
        ({"priority": "C3", "at": "2036-03-02T10:00:00+05:30"}, "year_not_covered"),
        # A C4 filed late in 2035 would run into 2036.
        ({"priority": "C4", "at": "2035-12-24T10:00:00+05:30"}, "year_not_covered"),
        ({}, "priority_required"),
    ],
)
def test_bad_input_is_422_with_a_code_in_api_and_cli(params: dict[str, str], code: str) -> None:
    status, answer = api_preview(**params)
    assert status == 422
    assert answer["code"] == code
    assert isinstance(answer["detail"], str) and answer["detail"]
    exit_code, from_cli = cli_preview(**params)
    assert exit_code == 2
    assert from_cli["code"] == code


def test_preview_needs_no_login_and_writes_nothing() -> None:
    before = (Holiday.objects.count(), HolidayYear.objects.count(), PolicyVersion.objects.count())
    status, answer = api_preview(priority="C3", at="2035-01-26T09:00:00+05:30")  # never seeded
    assert status == 200
    # Republic Day from the package (read-only): the clock starts on the 29th (Mon).
    assert answer["clock_starts_at"] == "2035-01-29T10:00:00+05:30"
    assert (
        Holiday.objects.count(),
        HolidayYear.objects.count(),
        PolicyVersion.objects.count(),
    ) == before


def test_openapi_and_docs_are_served() -> None:
    client = Client()
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/sla/preview" in spec.json()["paths"]
    assert client.get("/api/v1/docs").status_code == 200
