"""The rules of the house (docs/architecture.md) that a linter does not see, checked on the source.

Rule 2: domain apps use each other through services and selectors only. Importing another
app's model as a type, an enum or a foreign-key target is fine; querying its table
(``Ticket.objects…``) is not: that read belongs in the owning app's selectors, where the
access rules and the compiled reads live (decision 0085).

Rule 10: small pieces — no module over 600 lines (tests included), no function over 60 (tests
and the demo loaders aside: a test reads as one story, a demo loader as one script).

The source is read, never imported (``core`` may not import the apps).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[2]  # the helpline package
DOMAIN_APPS = (
    "accounts",
    "merchants",
    "sla",
    "tickets",
    "mail",
    "outbox",
    "notifications",
    "engineering",
    "billing",
    "monitoring",
    "routing",
    "account_management",
    "reports",
    "privacy",
    "audit",
)
MANAGERS = {"objects", "_default_manager", "_base_manager"}
# Modules allowed to query another app's tables, each with its reason (decision 0085).
EXEMPT = {
    # The read side (docs/architecture.md): SQL aggregates over tickets, clocks and events,
    # scoped through tickets.access.
    "reports/": "the read side",
}
MAX_LINES = 600
MAX_FUNCTION_LINES = 60


def _modules() -> list[tuple[str, Path]]:
    found = []
    for app in DOMAIN_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/tests/" in rel or "/migrations/" in rel:
                continue
            found.append((app, path))
    return found


def _exempt(rel: str) -> bool:
    return any(rel == key or (key.endswith("/") and rel.startswith(key)) for key in EXEMPT)


def foreign_queries(source: str, app: str) -> list[str]:
    """``Model.objects`` (and the other managers) on a model imported from another app."""
    tree = ast.parse(source)
    foreign: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if (
                len(parts) >= 3
                and parts[0] == "helpline"
                and parts[1] != app
                and parts[1] in DOMAIN_APPS
                and parts[2].endswith("models")
            ):
                for alias in node.names:
                    foreign[alias.asname or alias.name] = f"{parts[1]}.{alias.name}"
    hits = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in MANAGERS):
            continue
        base = node.value
        # Model.objects, and Model.relation.through.objects
        while isinstance(base, ast.Attribute):
            base = base.value
        if isinstance(base, ast.Name) and base.id in foreign:
            hits.append(f"line {node.lineno}: {foreign[base.id]}.{node.attr}")
    return hits


def test_domain_apps_query_other_apps_only_through_their_selectors() -> None:
    offences = []
    for app, path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        if _exempt(rel):
            continue
        offences += [f"{rel} {hit}" for hit in foreign_queries(path.read_text(), app)]
    assert offences == [], "query another app's tables through its selectors:\n" + "\n".join(
        offences
    )


def test_the_check_sees_a_foreign_query() -> None:
    """The scan itself: a query on another app's model is caught, in a function or through a
    relation's ``through`` model; the app's own models and type-only imports are not."""
    source = (
        "from helpline.tickets.models import Ticket, TicketClock\n"
        "from helpline.mail.models import InboundMail\n"
        "def f(user: Ticket):\n"
        "    InboundMail.objects.all()\n"
        "    return Ticket.objects.filter(pk=1), TicketClock.tags.through.objects.all()\n"
    )
    assert foreign_queries(source, "mail") == [
        "line 5: tickets.Ticket.objects",
        "line 5: tickets.TicketClock.objects",
    ]
    assert foreign_queries(source, "tickets") == ["line 4: mail.InboundMail.objects"]


def test_every_exemption_names_a_module_that_exists() -> None:
    for key in EXEMPT:
        assert (ROOT / key).exists(), key


def test_no_module_passes_600_lines() -> None:
    long = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel:
            continue
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES:
            long.append(f"{rel}: {lines} lines")
    assert long == [], "split these by concept (rule 10):\n" + "\n".join(long)


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """Functions (and methods, nested ones too) longer than ``limit`` lines, decorators aside."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > limit:
                found.append(f"{node.name} (line {node.lineno}): {lines} lines")
    return found


def test_the_function_check_counts_lines() -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(60))
    assert long_functions(f"def short():\n{body}\n") == ["short (line 1): 61 lines"]
    assert long_functions("def f():\n    return 1\n") == []


def test_no_function_passes_60_lines() -> None:
    long = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if any(part in f"/{rel}" for part in ("/migrations/", "/tests/", "demo/")) or rel.endswith(
            "conftest.py"
        ):
            continue
        long += [f"{rel}: {hit}" for hit in long_functions(path.read_text())]
    assert long == [], "split these by concept (rule 10):\n" + "\n".join(long)
