"""How tangled a package's inside is: the figures issue 13 measured, from the code's imports.

    .venv/bin/python scripts/import_metrics.py crm_api [crm_resolver ...]

For each package it prints the pairs of domains (its top-level subpackages and modules) that
import each other, the depth of its module import graph (the longest chain of imports once
cycles are folded into one node), the number of module cycles, and the source modules over 500
lines. Migrations are left out: they are generated, append-only history.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import grimp

LONG = 500


def _domain(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "<root>"


def _strongly_connected(nodes: Iterable[str], edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (the graphs are small, but recursion limits are not)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _depth(nodes: set[str], edges: dict[str, set[str]]) -> tuple[int, int]:
    components = _strongly_connected(sorted(nodes), edges)
    component_of = {node: i for i, members in enumerate(components) for node in members}
    folded: dict[int, set[int]] = {i: set() for i in range(len(components))}
    for source, targets in edges.items():
        for target in targets:
            if component_of[source] != component_of[target]:
                folded[component_of[source]].add(component_of[target])

    @cache
    def longest(component: int) -> int:
        return 1 + max((longest(t) for t in folded[component]), default=0)

    cycles = sum(1 for members in components if len(members) > 1)
    return max((longest(i) for i in folded), default=0), cycles


def report(package: str) -> None:
    graph = grimp.build_graph(package)
    modules = {m for m in graph.modules if ".migrations" not in m}
    edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    domains: dict[str, set[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            a, b = _domain(source), _domain(target)
            if a != b:
                domains.setdefault(a, set()).add(b)
    mutual = sorted(
        {tuple(sorted((a, b))) for a in domains for b in domains[a] if a in domains.get(b, ())}
    )
    depth, cycles = _depth(modules, edges)
    root = Path(importlib.import_module(package).__file__ or "").parent
    long = sorted(
        (len(path.read_text(encoding="utf-8").splitlines()), str(path.relative_to(root.parent)))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
    )
    long = [(n, p) for n, p in long if n > LONG]
    print(f"{package}")
    print(f"  domain pairs importing each other: {len(mutual)}")
    for a, b in mutual:
        print(f"    {a} <-> {b}")
    print(f"  import depth (longest chain of modules): {depth}")
    print(f"  module cycles: {cycles}")
    print(f"  modules over {LONG} lines: {len(long)}")
    for lines, path in reversed(long):
        print(f"    {lines:5d} {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="+")
    for package in parser.parse_args().packages:
        report(package)
    return 0


if __name__ == "__main__":
    sys.exit(main())
