"""The one way times and amounts are written for people (``helpline.core.display``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from helpline.core import display

AT = datetime(2026, 12, 8, 12, 30, tzinfo=UTC)  # a Tuesday


def test_an_instant_in_the_readers_zone_with_the_zone_named() -> None:
    assert display.when(AT, "Asia/Kolkata") == "Tue 8 Dec 2026, 18:00 IST"
    assert display.when(AT, ZoneInfo("Europe/London")) == "Tue 8 Dec 2026, 12:30 GMT"
    assert display.when(AT, "UTC") == "Tue 8 Dec 2026, 12:30 UTC"
    assert display.when(AT.isoformat(), "Asia/Kolkata") == "Tue 8 Dec 2026, 18:00 IST"


def test_london_changes_its_name_and_offset_with_summer_time() -> None:
    london = "Europe/London"
    # 29 March 2026, 01:00 UTC: clocks go forward; 25 October 2026, 01:00 UTC: back.
    assert display.when(datetime(2026, 3, 29, 0, 59, tzinfo=UTC), london).endswith("00:59 GMT")
    assert display.when(datetime(2026, 3, 29, 1, 0, tzinfo=UTC), london) == (
        "Sun 29 Mar 2026, 02:00 BST"
    )
    # The hour that happens twice in October is told apart by its name.
    assert display.when(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), london).endswith("01:30 BST")
    assert display.when(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), london).endswith("01:30 GMT")


def test_a_zone_without_an_abbreviation_is_named_by_its_offset() -> None:
    assert display.when(AT, "Asia/Dubai") == "Tue 8 Dec 2026, 16:30 UTC+04:00"
    assert display.when(AT, "Asia/Kathmandu") == "Tue 8 Dec 2026, 18:15 UTC+05:45"
    assert display.when(AT, "America/Sao_Paulo") == "Tue 8 Dec 2026, 09:30 UTC-03:00"


def test_an_unknown_or_empty_zone_is_the_installations_and_nothing_is_written_empty(
    settings,
) -> None:
    settings.TIME_ZONE_DISPLAY = "Asia/Kolkata"
    assert display.when(AT, "Mars/Olympus") == "Tue 8 Dec 2026, 18:00 IST"
    assert display.when(AT, "") == "Tue 8 Dec 2026, 18:00 IST"
    assert display.when(None, "UTC") == ""
    assert display.when(None, "UTC", missing="none") == "none"
    assert display.when("not a time", "UTC") == "not a time"
    assert display.when(datetime(2026, 12, 8, 12, 30), "Asia/Kolkata").endswith("18:00 IST")


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=20), "now"),
        (timedelta(minutes=-45), "45 min ago"),
        (timedelta(hours=2, minutes=15), "in 2 h 15 min"),
        (timedelta(hours=5), "in 5 h"),
        (timedelta(days=-3), "3 d ago"),
        (timedelta(days=1, hours=4, minutes=10), "in 1 d 4 h"),
        (timedelta(days=12, hours=4), "in 12 d 4 h"),
        (timedelta(seconds=-90), "1 min ago"),
    ],
)
def test_relative(delta: timedelta, words: str) -> None:
    assert display.relative(AT + delta, AT) == words


def test_a_duration() -> None:
    assert display.duration(timedelta(seconds=30)) == "under a minute"
    assert display.duration(timedelta(hours=1, minutes=20)) == "1 h 20 min"
    assert display.duration(-timedelta(days=1, hours=2)) == "1 d 2 h"


def test_a_time_with_its_distance() -> None:
    now = AT - timedelta(hours=2, minutes=15)
    assert display.when_relative(AT, "Asia/Kolkata", now) == (
        "Tue 8 Dec 2026, 18:00 IST (in 2 h 15 min)"
    )


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (Decimal("5900"), "₹5,900.00"),
        (Decimal("100000"), "₹1,00,000.00"),
        (Decimal("12345678.5"), "₹1,23,45,678.50"),
        ("999.999", "₹1,000.00"),
        (0, "₹0.00"),
        (Decimal("-1500"), "-₹1,500.00"),
    ],
)
def test_rupees_in_indian_grouping(amount: object, words: str) -> None:
    assert display.money(amount) == words


def test_other_currencies_never_a_lower_cased_code() -> None:
    assert display.money(Decimal("1234567.5"), "usd") == "$1,234,567.50"
    assert display.money(Decimal("12"), "chf") == "CHF 12.00"
    assert display.money("n/a", "inr") == "INR n/a"


def test_gst_named_beside_the_total() -> None:
    assert display.with_gst(Decimal("5900"), Decimal("900")) == "₹5,900.00 incl. GST ₹900.00"


def test_a_day_and_a_zone_name() -> None:
    assert display.day(date(2026, 12, 8)) == "Tue 8 Dec 2026"
    assert display.zone_name("Europe/London") == "Europe/London"
