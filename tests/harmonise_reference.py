"""Harmonised industries computed independently of the SQL (SPEC section 3), for the tests.

A union-find over (vintage, code) nodes, with the concordance cut to the level's digits: each component is
one harmonised industry, labelled by its smallest 2002 code, or '<vintage>:<code>' when it has none.
"""

from __future__ import annotations

from collections.abc import Iterable


def components(nodes: Iterable, edges: Iterable[tuple]) -> list[list]:
    """Connected components of an undirected graph by union-find (edge endpoints are added as nodes)."""
    parent: dict = {}

    def find(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for node in nodes:
        find(node)
    for a, b in edges:
        parent[find(a)] = find(b)
    members: dict = {}
    for node in list(parent):
        members.setdefault(find(node), []).append(node)
    return list(members.values())


def industry_labels(concordance: Iterable[tuple[str, str]], known: Iterable[tuple[str, str]],
                    digits: int) -> dict[tuple[str, str], str]:
    """(vintage, code cut to `digits`) -> label of its harmonised industry at that level."""
    nodes = [(vintage, code[:digits]) for vintage, code in known]
    edges = [(("1994", a[:digits]), ("2002", b[:digits])) for a, b in concordance]
    labels = {}
    for group in components(nodes, edges):
        latest = [code for vintage, code in group if vintage == "2002"]
        label = min(latest) if latest else min(f"{vintage}:{code}" for vintage, code in group)
        labels.update({node: label for node in group})
    return labels
