"""A real OpenID Connect provider for the single sign-on tests: panva's ``oidc-provider`` from
npm, run by Node on 127.0.0.1 with an OS-chosen port (``oidc/provider.mjs``).

Its packages are installed once into a cache directory (``HELPLINE_TEST_CACHE``, default
``~/.cache/helpline``) by ``python -m helpline.web.tests.oidc_server`` (``.ci/run`` does) or by
the first test that needs them. Tests skip, saying why, only when Node or npm is missing or the
npm registry cannot be reached.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent / "oidc"


def cache_dir() -> Path:
    base = Path(os.environ.get("HELPLINE_TEST_CACHE") or Path.home() / ".cache" / "helpline")
    version = json.loads((HERE / "package.json").read_text())["dependencies"]["oidc-provider"]
    return base / f"oidc-provider-{version}"


def ensure_installed() -> Path:
    """The directory holding provider.mjs and its node_modules; raises RuntimeError with the
    reason when it cannot be made."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise RuntimeError("node and npm are not installed (apt-get install nodejs npm)")
    target = cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "provider.mjs"):
        shutil.copyfile(HERE / name, target / name)
    if not (target / "node_modules" / "oidc-provider" / "package.json").exists():
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--omit=dev"],
            cwd=target,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm install oidc-provider failed: {done.stderr.strip()[-500:]}")
    return target


@contextmanager
def running(client_id: str, client_secret: str, redirect_uri: str) -> Iterator[str]:
    """Starts the provider; yields its issuer URL (http://127.0.0.1:PORT); stops it after."""
    where = ensure_installed()
    process = subprocess.Popen(
        [shutil.which("node") or "node", "provider.mjs", client_id, client_secret, redirect_uri],
        cwd=where,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()  # blocks until it listens (or dies)
        if not line.startswith("listening "):
            raise RuntimeError(f"the OIDC provider did not start: {line!r}")
        yield line.removeprefix("listening ")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    try:
        sys.stdout.write(f"oidc-provider ready in {ensure_installed()}\n")
    except RuntimeError as exc:
        sys.stderr.write(f"{exc}\n")
        sys.exit(1)
