# shellcheck shell=bash
# Sourced by scripts/up, scripts/test and .ci/run: go to the repository root and make sure
# .venv exists (Python 3.11) with Helpline and its dev extra installed. The install runs only
# when pyproject.toml changed since the last one (a stamp in .venv records its hash).
# Every step checks its own result: callers may run this where `set -e` does not apply.

HELPLINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HELPLINE_ROOT"

helpline_venv() {
    local python="${HELPLINE_PYTHON:-python3.11}"
    local stamp=".venv/.helpline-install-stamp"
    local want have

    # One install at a time, even when several scripts start together in one work tree.
    exec 9<"$HELPLINE_ROOT/scripts/_venv.sh"
    flock 9 || return 1

    if [ ! -x .venv/bin/python ]; then
        if ! command -v "$python" >/dev/null 2>&1; then
            echo "helpline: $python not found; Helpline needs Python 3.11" >&2
            return 1
        fi
        echo "Creating .venv with $python"
        "$python" -m venv .venv || return 1
    fi
    if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        echo "helpline: .venv is not Python 3.11; remove it (rm -rf .venv) and run again" >&2
        return 1
    fi

    want="$(.venv/bin/python -c 'import hashlib, sys; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')"
    have="$(cat "$stamp" 2>/dev/null || true)"
    if [ "$want" != "$have" ]; then
        echo "Installing Helpline and its dev tools into .venv (pyproject.toml changed)"
        if ! PIP_NO_INPUT=1 .venv/bin/python -m pip install --disable-pip-version-check \
            -e '.[dev]' >.venv/.helpline-install.log 2>&1; then
            cat .venv/.helpline-install.log >&2
            echo "helpline: pip install failed (log above, also in .venv/.helpline-install.log)" >&2
            return 1
        fi
        echo "$want" >"$stamp"
    fi

    flock -u 9
    exec 9<&-
}
