"""Industry proximity and harmonised industries on the tiny census, against an independent Python version.

The tiny reference set (tests/tiny_inputs.py) has two CIC vintages, a split in the concordance
(1994:1312 -> 2002:1320 + 1330), a renumbered utility (4410 -> 4411) that reaches no traded product, and a
4 x 3 trade table. Everything the warehouse computes for the proximity chain (harmonised groups, weights
at 4/3/2 digits, industry proximity for each classification, industries without product) is recomputed
here from the input frames with pandas, numpy and a union-find, and compared. The real-data check of the
4-digit industry proximity is in test_product_space.py (it shares that file's warehouse build).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from test_product_space import as_matrix, numpy_product_space, query
from tiny_inputs import census_frames, reference_frames

# ------------------------------------------------------------------------------- independent versions


def python_harmonise(concordance: pd.DataFrame, known: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(vintage, code) -> label: union-find components, labelled by the smallest code of the side with
    fewer codes (tie: 2002); components with equal labels are merged and relabelled until stable."""
    parent = {node: node for node in known}

    def find(node):
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for row in concordance.itertuples():
        a, b = ("1994", row.code_1994), ("2002", row.code_2002)
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        parent[find(a)] = find(b)

    def label(members):
        sides = {}
        for vintage, code in members:
            sides.setdefault(vintage, set()).add(code)
        vintage = min(sides, key=lambda v: (len(sides[v]), -int(v)))
        return min(sides[vintage])

    groups: dict = {}
    for node in parent:
        groups.setdefault(find(node), []).append(node)
    groups = list(groups.values())
    while True:
        by_label: dict[str, list] = {}
        for members in groups:
            by_label.setdefault(label(members), []).extend(members)
        if len(by_label) == len(groups):
            return {node: code for code, members in by_label.items() for node in members}
        groups = list(by_label.values())


def python_weights(links: pd.DataFrame, products: list[str]) -> pd.DataFrame:
    """links: industry_code, product (any duplicates). Dense W, 1/n over distinct product-space products."""
    links = links[links["product"].isin(products)].drop_duplicates()
    counts = pd.crosstab(links["industry_code"], links["product"]).reindex(columns=products, fill_value=0)
    counts = (counts > 0).astype(float)
    return counts.div(counts.sum(axis=1), axis=0)


def expected_chain():
    """Everything the proximity chain should hold for the tiny inputs, computed without the warehouse."""
    frames = reference_frames()
    space = numpy_product_space(frames["world_trade"])
    phi = as_matrix(space, "product_a", "product_b", "proximity")
    products = list(phi.columns)

    isic = frames["industry_isic"].merge(frames["isic_sitc"], on="isic_code")
    isic = isic.rename(columns={"sitc_code": "product"})
    known = {(r.vintage, r.industry_code) for r in frames["industry_isic"].itertuples()}
    known |= {("1994", c) for c in frames["industry_concordance"]["code_1994"]}
    known |= {("2002", c) for c in frames["industry_concordance"]["code_2002"]}
    vintage_of = {1995: "1994", 2004: "2002"}
    for year, firms in census_frames().items():
        known |= {(vintage_of[year], c) for c in firms["industry_code"]}
    harmonised = python_harmonise(frames["industry_concordance"], known)

    links = {v: isic.loc[isic["vintage"] == v, ["industry_code", "product"]] for v in ("1994", "2002")}
    links["harmonised"] = pd.DataFrame(
        [(harmonised[(r.vintage, r.industry_code)], r.product) for r in isic.itertuples()],
        columns=["industry_code", "product"])
    codes = {v: {c for (vv, c) in known if vv == v} for v in ("1994", "2002")}
    codes["harmonised"] = set(harmonised.values())

    proximity, without = {}, set()
    for classification, class_links in links.items():
        for digits in (4, 3, 2):
            level = class_links.assign(industry_code=class_links["industry_code"].str[:digits])
            weights = python_weights(level, products)
            w = weights.to_numpy()
            matrix = w @ phi.to_numpy() @ w.T
            index = list(weights.index)
            for i, a in enumerate(index):
                for j, b in enumerate(index):
                    if a != b:
                        proximity[(classification, digits, a, b)] = matrix[i, j]
            without |= {(classification, digits, c[:digits]) for c in codes[classification]} - {
                (classification, digits, c) for c in index}
    return harmonised, proximity, without


# ------------------------------------------------------------------------------------------------ tests


def test_harmonised_industries_match_union_find(tiny_warehouse):
    harmonised, _, _ = expected_chain()
    got = query(tiny_warehouse, "select vintage, industry_code, harmonised_code from int_industry_harmonised")
    assert {(r.vintage, r.industry_code): r.harmonised_code for r in got.itertuples()} == harmonised
    # the split 1312 -> 1320 + 1330 is labelled by the coarser (1994) side; the renumbered utility by 2002
    assert harmonised[("2002", "1330")] == "1312" and harmonised[("1994", "4410")] == "4411"


def test_python_harmonise_merges_colliding_labels():
    """The reference implementation itself, on the collision of the dbt unit test (2010 twice)."""
    concordance = pd.DataFrame([("2010", "2011"), ("2010", "2012"), ("2013", "2010"), ("2014", "2010"),
                                ("1312", "1320"), ("1312", "1330")], columns=["code_1994", "code_2002"])
    known = {("1994", c) for c in concordance["code_1994"]} | {("2002", c) for c in concordance["code_2002"]}
    labels = python_harmonise(concordance, known)
    assert {labels[n] for n in known if n[1].startswith("201")} == {"2010"}
    assert labels[("2002", "1320")] == "1312"


def test_industry_proximity_matches_numpy_all_levels(tiny_warehouse):
    _, expected, _ = expected_chain()
    mart = query(tiny_warehouse, "select * from industry_proximity")
    got = {(r.classification, int(r.industry_digits), r.industry_a, r.industry_b): r.proximity
           for r in mart.itertuples()}
    assert len(got) == len(mart)
    assert set(got) == set(expected)
    assert max(abs(got[k] - expected[k]) for k in expected) < 1e-12
    # hand-worked: 1994:1311 {0001, 0002} vs 1312 {0002, 0003, 0004}:
    # 1/6 (phi12 + phi13 + phi14 + phi22 + phi23 + phi24) = 1/6 (0.5 + 0 + 0 + 1 + 0.5 + 0) = 1/3
    assert abs(got[("1994", 4, "1311", "1312")] - 1 / 3) < 1e-15
    # the 2-digit level has a single industry with products in every classification: no pair at all
    assert not any(k[1] == 2 for k in got)


def test_industry_proximity_symmetric_and_in_range(tiny_warehouse):
    mart = query(tiny_warehouse, "select * from industry_proximity")
    mirrored = mart.rename(columns={"industry_a": "industry_b", "industry_b": "industry_a"})
    both = mart.merge(mirrored, on=["classification", "industry_digits", "industry_a", "industry_b"])
    assert len(both) == len(mart)
    assert (both["proximity_x"] == both["proximity_y"]).all()
    assert mart["proximity"].between(0, 1).all()
    assert (mart["industry_a"] != mart["industry_b"]).all()


def test_industries_without_product_listed(tiny_warehouse):
    _, _, expected = expected_chain()
    got = query(tiny_warehouse, "select * from int_industries_without_product")
    assert {(r.classification, int(r.industry_digits), r.industry_code) for r in got.itertuples()} == expected
    assert ("harmonised", 4, "4411") in expected and ("1994", 4, "4410") in expected


def test_weights_sum_to_one(tiny_warehouse):
    weights = query(tiny_warehouse, "select * from int_industry_products")
    totals = weights.groupby(["classification", "industry_digits", "industry_code"])["weight"].sum()
    assert np.allclose(totals, 1.0, atol=1e-12)
    # the 1994 split industry 1312 reaches ISIC 2000 and 3000, hence products 0002, 0003, 0004 at 1/3 each
    split = weights[(weights["classification"] == "1994") & (weights["industry_code"] == "1312")]
    assert sorted(split["product"]) == ["0002", "0003", "0004"]
    assert np.allclose(split["weight"], 1 / 3)
