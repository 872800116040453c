"""Harmonised industries computed independently of the SQL (SPEC section 3), for the tests.

A union-find over (vintage, code) nodes, with the concordance cut to the level's digits: each component is
one harmonised industry, labelled by its smallest 2002 code, or '<vintage>:<code>' when it has none.
"""

from __future__ import annotations

from collections.abc import Iterable


def industry_labels(concordance: Iterable[tuple[str, str]], known: Iterable[tuple[str, str]],
                    digits: int) -> dict[tuple[str, str], str]:
    """(vintage, code cut to `digits`) -> label of its harmonised industry at that level."""
    parent: dict = {}

    def find(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for vintage, code in known:
        find((vintage, code[:digits]))
    for code_1994, code_2002 in concordance:
        parent[find(("1994", code_1994[:digits]))] = find(("2002", code_2002[:digits]))
    members: dict = {}
    for node in list(parent):
        members.setdefault(find(node), []).append(node)
    labels = {}
    for nodes in members.values():
        latest = [code for vintage, code in nodes if vintage == "2002"]
        label = min(latest) if latest else min(f"{vintage}:{code}" for vintage, code in nodes)
        labels.update({node: label for node in nodes})
    return labels
