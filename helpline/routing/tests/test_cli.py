"""``helpline shifts import FILE`` (real CSV files: all or nothing, a bad row named) and
``helpline doctor`` (one line per check, exit 1 on any problem)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from helpline.cli import main
from helpline.core.heartbeat import beat
from helpline.routing.models import Shift
from helpline.routing.tests.rota import full_rota

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # Monday 11:30 IST


def shifts(user) -> list[tuple[int, time, time]]:
    return list(Shift.objects.filter(user=user).values_list("weekday", "start", "end"))


def test_import_replaces_the_week_of_each_agent_named(cast, tmp_path, capsys) -> None:
    Shift.objects.create(user=cast.ravi, weekday=6, start=time(1), end=time(2))
    Shift.objects.create(user=cast.ada, weekday=6, start=time(1), end=time(2))
    path = tmp_path / "shifts.csv"
    path.write_text(
        "\ufeffemail,weekday,start,end,comment\n"  # Excel's BOM; extra columns are ignored
        "Ravi@helpline.test,Monday,10:00,18:00,\n"
        "ravi@helpline.test,tue,10:00,18:00,\n"
        "lena@helpline.test,4,22:00,06:00,Friday night\n",
        encoding="utf-8",
    )
    assert main(["shifts", "import", str(path)]) == 0
    assert capsys.readouterr().out == (
        "lena@helpline.test: 1 shift(s)\nravi@helpline.test: 2 shift(s)\n"
    )
    assert shifts(cast.ravi) == [(0, time(10), time(18)), (1, time(10), time(18))]
    assert shifts(cast.lena) == [(4, time(22), time(6))]
    assert shifts(cast.ada) == [(6, time(1), time(2))]  # not in the file: kept


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ("ravi@helpline.test,Funday,10:00,18:00\n", "row 3: weekday 'funday' is not a day"),
        ("ravi@helpline.test,Mon,10,18:00\n", "row 3: start '10' is not a time of day"),
        ("ravi@helpline.test,Mon,10:00,24:00\n", "row 3: end '24:00' is not a time of day"),
        (",Mon,10:00,18:00\n", "row 3: email is empty"),
        ("ravi@helpline.test,Mon,10:00,18:00,x\n", "row 3: more cells than the header"),
        ("nobody@helpline.test,Mon,10:00,18:00\n", "row 3: no active member of staff"),
        ("alice@acme.test,Mon,10:00,18:00\n", "row 3: no active member of staff"),
        ("lena@helpline.test,Mon,17:00,19:00\n", "row 3 overlaps row 2: one agent works"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_imported(cast, tmp_path, capsys, rows, error) -> None:
    Shift.objects.create(user=cast.lena, weekday=6, start=time(1), end=time(2))
    path = tmp_path / "shifts.csv"
    path.write_text(
        "email,weekday,start,end\nlena@helpline.test,Monday,10:00,18:00\n" + rows,
        encoding="utf-8",
    )
    assert main(["shifts", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"helpline: {error}"), err
    assert len(err.splitlines()) == 1
    assert shifts(cast.lena) == [(6, time(1), time(2))]  # the row before the bad one: not kept
    assert not Shift.objects.filter(user=cast.ravi).exists()


def test_a_file_without_the_columns_or_rows_is_refused(cast, tmp_path, capsys) -> None:
    headless = tmp_path / "a.csv"
    headless.write_text("who,day\nravi@helpline.test,Mon\n", encoding="utf-8")
    assert main(["shifts", "import", str(headless)]) == 2
    assert "row 1: the header lacks email, weekday, start, end" in capsys.readouterr().err
    empty = tmp_path / "b.csv"
    empty.write_text("email,weekday,start,end\n", encoding="utf-8")
    assert main(["shifts", "import", str(empty)]) == 2
    assert "no shifts" in capsys.readouterr().err
    assert main(["shifts", "import", str(tmp_path / "missing.csv")]) == 2
    assert "cannot be read" in capsys.readouterr().err


@pytest.fixture
def healthy(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "smtp.example.com", 587
    settings.EMAIL_HOST_PASSWORD, settings.EMAIL_USE_TLS = "secret", True
    settings.SUPPORT_ADDRESS = "Helpline <support@example.com>"
    settings.MAIL_IMAP_URL = "imaps://support:secret@imap.example.com/INBOX"
    settings.BASE_URL = "https://support.example.com"
    full_rota(cast.ravi, cast.lena)
    beat("worker", now=NOW - timedelta(minutes=1))
    return settings


def doctor(capsys) -> tuple[int, dict[str, str]]:
    with time_machine.travel(NOW, tick=False):
        code = main(["doctor"])
    lines = capsys.readouterr().out.splitlines()
    return code, {line.split(":")[0].split("  ", 1)[1]: line for line in lines}


def test_doctor_all_ok(healthy, capsys) -> None:
    code, lines = doctor(capsys)
    assert code == 0
    assert list(lines) == [
        "database",
        "on-call",
        "worker",
        "storage",
        "mail out",
        "mail in",
        "mail senders",
        "base URL",
    ]
    assert all(line.startswith("ok  ") for line in lines.values())


def test_doctor_reports_an_on_call_gap(healthy, capsys) -> None:
    Shift.objects.all().delete()  # agents' shifts are not the rota
    from helpline.outbox.models import OnCallShift

    OnCallShift.objects.filter(weekday=2, start=time(18)).delete()
    code, lines = doctor(capsys)
    assert code == 1
    assert lines["on-call"] == (
        "PROBLEM  on-call: 1 gap(s) in the next 7 days, the first at Wed 09 Dec 18:00 "
        "(Asia/Kolkata): add on-call shifts or overrides in the admin"
    )
    assert sum(line.startswith("PROBLEM") for line in lines.values()) == 1


def test_doctor_reports_a_silent_or_missing_worker(healthy, capsys) -> None:
    from helpline.core.models import Heartbeat

    Heartbeat.objects.update(beat_at=NOW - timedelta(minutes=12))
    code, lines = doctor(capsys)
    assert code == 1
    assert lines["worker"].startswith("PROBLEM  worker: last seen 12 min ago on ")
    assert "restart `helpline worker`" in lines["worker"]
    Heartbeat.objects.all().delete()
    code, lines = doctor(capsys)
    assert lines["worker"] == "PROBLEM  worker: no worker has ever run: start `helpline worker`"


@pytest.mark.parametrize(
    ("setting", "value", "check", "words"),
    [
        (
            "EMAIL_BACKEND",
            "django.core.mail.backends.filebased.EmailBackend",
            "mail out",
            "not sent: set HELPLINE_EMAIL_URL",
        ),
        ("EMAIL_USE_TLS", False, "mail out", "password would travel in clear"),
        (
            "SUPPORT_ADDRESS",
            "Helpline <support@helpline.invalid>",
            "mail out",
            "set HELPLINE_SUPPORT_ADDRESS",
        ),
        ("MAIL_IMAP_URL", "", "mail in", "no mail comes in: set HELPLINE_IMAP_URL"),
        ("MAIL_IMAP_URL", "pop3://x@y", "mail in", "must be imap://, imap+tls:// or imaps://"),
        ("MAIL_IMAP_URL", "imap://u:p@imap.example.com", "mail in", "travel in clear"),
        ("MAIL_SENDER_AUTH", "off", "mail senders", "a forged mail posts as a contact"),
        ("BASE_URL", "http://localhost:8000", "base URL", "set HELPLINE_BASE_URL"),
        ("BASE_URL", "http://support.example.com", "base URL", "is not HTTPS"),
    ],
)
def test_doctor_reports_each_mail_and_url_problem(
    healthy, capsys, setting, value, check, words
) -> None:
    setattr(healthy, setting, value)
    code, lines = doctor(capsys)
    assert code == 1
    assert lines[check].startswith(f"PROBLEM  {check}: ")
    assert words in lines[check]
    assert sum(line.startswith("PROBLEM") for line in lines.values()) == 1


def test_inbound_mail_by_the_api_alone_is_fine(healthy, capsys) -> None:
    healthy.MAIL_IMAP_URL, healthy.MAIL_INBOUND_SECRET = "", "s3cret-s3cret"
    assert doctor(capsys)[0] == 0


def test_the_health_check_reports_the_same_checks(healthy, cast) -> None:
    from helpline.outbox.models import OnCallShift

    OnCallShift.objects.filter(weekday=2, start=time(18)).delete()
    with time_machine.travel(NOW, tick=False):
        anyone = cast.api("alice").get("/api/v1/health")
        admin = cast.api("ada").get("/api/v1/health")
        from django.test import Client

        anonymous = Client().get("/api/v1/health").json()
    assert anyone.status_code == 200
    assert anyone.json_body["status"] == "problem"
    on_call = {c["name"]: c for c in anyone.json_body["checks"]}["on-call"]
    assert on_call == {"name": "on-call", "ok": False, "detail": None}
    assert anonymous == anyone.json_body
    details = {c["name"]: c["detail"] for c in admin.json_body["checks"]}
    assert details["on-call"].startswith("1 gap(s) in the next 7 days")
