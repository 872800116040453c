"""Industry proximity and harmonised industries on the tiny census, against an independent Python version.

The tiny reference set (tests/tiny_inputs.py) has two CIC vintages, a split in the concordance
(1994:1312 -> 2002:1320 + 1330), a renumbered utility (4410 -> 4411) that reaches no traded product, and a
4 x 3 trade table. Everything the warehouse computes for the proximity chain (harmonised groups, weights
at 4/3/2 digits, industry proximity for each classification, industries without product) is recomputed
here from the input frames with pandas, numpy and a union-find (tests/harmonise_reference.py), and
compared. The real-data check of the
4-digit industry proximity is in test_product_space.py (it shares that file's warehouse build).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from harmonise_reference import industry_labels
from test_product_space import as_matrix, numpy_product_space, query
from tiny_inputs import census_frames, reference_frames

# ------------------------------------------------------------------------------- independent versions


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
    pairs = list(frames["industry_concordance"].itertuples(index=False, name=None))
    harmonised = {digits: industry_labels(pairs, known, digits) for digits in (4, 3, 2)}

    def level_links(classification: str, digits: int) -> pd.DataFrame:
        if classification == "harmonised":  # the component of the code cut to the level, never a prefix
            return pd.DataFrame([(harmonised[digits][(r.vintage, r.industry_code[:digits])], r.product)
                                 for r in isic.itertuples()], columns=["industry_code", "product"])
        within = isic.loc[isic["vintage"] == classification, ["industry_code", "product"]]
        return within.assign(industry_code=within["industry_code"].str[:digits])

    def level_codes(classification: str, digits: int) -> set[str]:
        if classification == "harmonised":
            return set(harmonised[digits].values())
        return {c[:digits] for (v, c) in known if v == classification}

    proximity, without = {}, set()
    for classification in ("1994", "2002", "harmonised"):
        for digits in (4, 3, 2):
            weights = python_weights(level_links(classification, digits), products)
            w = weights.to_numpy()
            matrix = w @ phi.to_numpy() @ w.T
            index = list(weights.index)
            for i, a in enumerate(index):
                for j, b in enumerate(index):
                    if a != b:
                        proximity[(classification, digits, a, b)] = matrix[i, j]
            without |= {(classification, digits, c) for c in level_codes(classification, digits)} - {
                (classification, digits, c) for c in index}
    return harmonised, proximity, without


# ------------------------------------------------------------------------------------------------ tests


def test_harmonised_industries_match_union_find(tiny_warehouse):
    harmonised, _, _ = expected_chain()
    got = query(tiny_warehouse, "select industry_digits, vintage, industry_code, harmonised_code "
                                "from int_industry_harmonised")
    for digits in (4, 3, 2):
        level = got[got["industry_digits"] == digits]
        assert {(r.vintage, r.industry_code): r.harmonised_code for r in level.itertuples()} == harmonised[digits]
    # the split 1312 -> 1320 + 1330 and the renumbered utility are labelled by their smallest 2002 code
    assert harmonised[4][("2002", "1330")] == "1320" and harmonised[4][("1994", "4410")] == "4411"


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
