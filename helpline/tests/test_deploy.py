"""docs/deploy.md and the files it installs (deploy/): the systemd units pass
``systemd-analyze verify``, the nginx site passes ``nginx -t``, every ``helpline …`` command
they and the page run is one Helpline's parser takes, and the example environment file is
read by the settings without an error."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpline.cli import build_parser
from helpline.core.tests import clean_env, run_helpline

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("helpline-*.*"))
INSTALLED = "/opt/helpline/venv/bin/helpline"
HELPLINE_BIN = str(Path(sys.executable).parent / "helpline")  # this environment's command


def _commands(text: str) -> list[list[str]]:
    """Every ``/opt/helpline/venv/bin/helpline ARGS`` in ``text``, its arguments split."""
    found = []
    for match in re.finditer(re.escape(INSTALLED) + r" ([^'\n]*)", text):
        found.append(shlex.split(match.group(1)))
    return found


def test_the_units_and_the_page_run_commands_helpline_has() -> None:
    parser = build_parser()
    texts = [unit.read_text() for unit in UNITS] + [(ROOT / "docs" / "deploy.md").read_text()]
    commands = [argv for text in texts for argv in _commands(text)]
    assert {argv[0] for argv in commands} >= {
        "serve",
        "worker",
        "backup",
        "restore",
        "migrate",
        "doctor",
    }
    for argv in commands:
        parser.parse_args(argv)  # exits (SystemExit) on an unknown command or option


def test_an_unknown_option_in_a_unit_would_be_caught() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(_commands(f"ExecStart={INSTALLED} worker --metrics-prot 1")[0])


def _systemd_analyze() -> str:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd; .ci/run does)")
    return tool


def _verify(tmp_path: Path, units: list[Path]) -> subprocess.CompletedProcess[str]:
    copies = []
    for unit in units:
        copy = tmp_path / unit.name
        # The installed path of the command is this checkout's (verify checks it exists).
        copy.write_text(unit.read_text().replace(INSTALLED, HELPLINE_BIN))
        copies.append(str(copy))
    return subprocess.run(
        [_systemd_analyze(), "verify", *copies],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_systemd_units_verify(tmp_path: Path) -> None:
    assert [u.name for u in UNITS] == [
        "helpline-backup.service",
        "helpline-backup.timer",
        "helpline-web.service",
        "helpline-worker.service",
    ]
    result = _verify(tmp_path, UNITS)
    assert result.returncode == 0, result.stderr
    assert "Unknown" not in result.stderr and "Invalid" not in result.stderr, result.stderr


def test_systemd_verify_refuses_a_broken_unit(tmp_path: Path) -> None:
    broken = tmp_path / "src" / "helpline-broken.service"
    broken.parent.mkdir()
    broken.write_text("[Service]\nExecStart=helpline-not-a-path serve\nRestart=sometimes\n")
    result = _verify(tmp_path, [broken])
    assert result.returncode != 0 or "Invalid" in result.stderr or "ignoring" in result.stderr


def test_nginx_site_is_valid(tmp_path: Path) -> None:
    nginx = shutil.which("nginx", path="/usr/sbin:/usr/bin")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light; .ci/run does)")
    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed to make the test certificate"
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=support.example.com", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    site = (DEPLOY / "nginx" / "helpline.conf").read_text()
    site = site.replace("/etc/helpline/tls/fullchain.pem", str(cert))
    site = site.replace("/etc/helpline/tls/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body; "
        f"include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def _env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name] = shlex.split(value)[0] if value else ""
    return values


def test_the_example_environment_is_read_by_the_settings(tmp_path: Path) -> None:
    values = _env_file(DEPLOY / "helpline.env.example")
    readme = (ROOT / "README.md").read_text()
    for name in values:
        assert f"`{name}`" in readme, f"{name} is not in the README's configuration table"
    values["HELPLINE_DATA_DIR"] = str(tmp_path / "data")
    checked = run_helpline("manage", "check", env=clean_env(tmp_path / "data", **values))
    assert checked.returncode == 0, checked.stderr
    assert "no issues" in checked.stdout
