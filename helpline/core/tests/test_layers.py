"""No cycle between helpline's packages, counting every import (function-local ones included).

import-linter's ``layers`` contract (``pyproject.toml``) holds the order of the domain apps; this
test holds the stronger, simpler property it implies for the whole tree, the composition root
included: collapse every module to its top-level package (``helpline.tickets.services.create``
→ ``tickets``) and the graph of packages has no cycle. Tests are left out — they test through
every door. The source is read by grimp, never imported (``core`` may not import the apps).
"""

from __future__ import annotations

from collections import defaultdict

import grimp
import pytest

pytestmark = pytest.mark.pure


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _is_test(module: str) -> bool:
    return ".tests" in module or module.endswith(".conftest")


def package_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], tuple[str, str]]]:
    """Edges between top-level packages, and for each edge one module import that makes it."""
    graph = grimp.build_graph("helpline", include_external_packages=False)
    edges: dict[str, set[str]] = defaultdict(set)
    witness: dict[tuple[str, str], tuple[str, str]] = {}
    for importer in graph.modules:
        if _is_test(importer):
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            if _is_test(imported):
                continue
            a, b = _package(importer), _package(imported)
            if a != b:
                edges[a].add(b)
                witness.setdefault((a, b), (importer, imported))
    return edges, witness


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the components with more than one package."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    nodes = set(edges) | {b for targets in edges.values() for b in targets}
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(edges) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_cycle_between_helplines_packages():
    edges, witness = package_graph()
    cycles = strongly_connected(edges)
    explained = []
    for component in cycles:
        members = set(component)
        for (a, b), (importer, imported) in sorted(witness.items()):
            if a in members and b in members:
                explained.append(f"  {a} -> {b}: {importer} imports {imported}")
    assert not cycles, "packages in a cycle: " + repr(cycles) + "\n" + "\n".join(explained)
