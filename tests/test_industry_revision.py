"""A census whose 1994 vintage changes the way the real GB/T 4754 revision did, end to end (issue 12).

1994's divisions 41 and 42 are 2002's 40 and 41, so one code string means two industries: 1994:4111 (which
became 2002:4011 + 4012, a split) and 2002:4111 (renumbered from 1994:4211). 1994:1311 + 1312 merge into
2002:1310; 1994:1322 moves group to 2002:1331; a utility has no traded product. The harmonised industries
at 4, 3 and 2 digits, the cells at every region level and the region index are recomputed here from the
firm rows with a union-find (tests/harmonise_reference.py), pandas and dense numpy, never reading the
warehouse's harmonisation, and held against the warehouse. Under the old rules (labels of the coarser
side merged on collision, coarser levels cut from labels) 1994:4111 and 2002:4111 were one industry and
2002 division 40 was counted in 41: the case checks below pin that down.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from harmonise_reference import industry_labels
from test_product_space import as_matrix, numpy_product_space
from test_region_proximity import WEIGHTS, numpy_region_index
from tiny_inputs import FIRM_COLUMNS

CONCORDANCE = [("4111", "4011"), ("4111", "4012"), ("4211", "4111"), ("4221", "4121"),
               ("1311", "1310"), ("1312", "1310"), ("1321", "1321"), ("1322", "1331"),
               ("2211", "2211"), ("2212", "2212"), ("4410", "4411")]
INDUSTRIES = {"1994": sorted({a for a, _ in CONCORDANCE}), "2002": sorted({b for _, b in CONCORDANCE})}
ISIC_OF_2002 = {"1310": "1000", "1321": "2000", "1331": "3000", "4011": "4000", "4012": "5000",
                "4111": "6000", "4121": "7000", "2211": "8000", "2212": "1000", "4411": "9000"}
SITC_OF_ISIC = {"1000": ["0001", "0002"], "2000": ["0003"], "3000": ["0004", "0005"], "4000": ["0006"],
                "5000": ["0007", "0008"], "6000": ["0009"], "7000": ["0010", "0011"], "8000": ["0012"]}
COUNTIES = {1995: ["110101", "110102", "110103", "120101", "120102", "130101"],
            2004: ["110101", "110105", "120101", "120102", "130101"]}
CROSSWALK = [("110102", 1995, "110105", 2004), ("110103", 1995, "110105", 2004)]
LEVEL_DIGITS = {"county": 6, "prefecture": 4, "province": 2}


def census(seed: int = 3) -> dict[int, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    frames = {}
    for year, vintage in ((1995, "1994"), (2004, "2002")):
        rows = []
        for county in COUNTIES[year]:
            for k in range(int(rng.integers(8, 20))):
                row = dict.fromkeys(FIRM_COLUMNS)
                output = float(np.round(rng.lognormal(6, 1.1), 1))
                row.update(firm_id=f"{year}-{county}-{k}", county_code=county,
                           industry_code=str(rng.choice(INDUSTRIES[vintage])), output=output, sales=output,
                           employment=int(rng.integers(1, 300)),
                           total_assets=float(np.round(rng.lognormal(6, 1.0), 1)))
                rows.append(row)
        frames[year] = pd.DataFrame(rows, columns=FIRM_COLUMNS)
    # the colliding code string really occurs in both years
    for year, code in ((1995, "4111"), (2004, "4111"), (2004, "4011")):
        assert (frames[year]["industry_code"] == code).any()
    return frames


def trade(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    products = sorted({p for ps in SITC_OF_ISIC.values() for p in ps})
    return pd.DataFrame([(c, p, float(np.round(rng.lognormal(3, 1.6), 2))) for c in "abcdefgh" for p in products],
                        columns=["country", "product", "value"]).assign(country=lambda f: f["country"] * 3)


@pytest.fixture(scope="module")
def revision(tmp_path_factory):
    from cluster_finance.warehouse import build_warehouse, connect

    root = tmp_path_factory.mktemp("revision")
    raw, reference = root / "raw", root / "reference"
    raw.mkdir()
    reference.mkdir()
    firms = census()
    for year, frame in firms.items():
        frame.to_csv(raw / f"firms_{year}.csv", index=False)
    trade().to_csv(reference / "world_trade.csv", index=False)
    pd.DataFrame([(i, s) for i, ss in SITC_OF_ISIC.items() for s in ss], columns=["isic_code", "sitc_code"]) \
        .to_csv(reference / "isic_sitc.csv", index=False)
    pd.DataFrame([("2002", c, i) for c, i in ISIC_OF_2002.items()], columns=["vintage", "industry_code", "isic_code"]) \
        .to_csv(reference / "industry_isic.csv", index=False)
    pd.DataFrame(CONCORDANCE, columns=["code_1994", "code_2002"]).to_csv(reference / "industry_concordance.csv",
                                                                          index=False)
    pd.DataFrame(CROSSWALK, columns=["code_from", "year_from", "code_to", "year_to"]) \
        .to_csv(reference / "county_crosswalk.csv", index=False)
    pd.DataFrame([(c, y) for y, cs in COUNTIES.items() for c in cs], columns=["county_code", "year"]) \
        .to_csv(reference / "regions.csv", index=False)
    result = build_warehouse(raw, reference, root / "warehouse.duckdb", target_path=root / "target",
                             select=["+region_proximity", "+county_proximity"])
    with connect(result.warehouse) as con:
        tables = {name: con.execute(f"select * from {name}").df()
                  for name in ("int_industry_harmonised", "cells", "industry_proximity", "region_proximity",
                               "county_proximity")}
    return firms, tables


def known_codes() -> list[tuple[str, str]]:
    return [(v, c) for v, codes in INDUSTRIES.items() for c in codes]


def expected_cells(firms: dict[int, pd.DataFrame]) -> pd.DataFrame:
    rows = pd.concat([f.assign(year=y, vintage="1994" if y == 1995 else "2002") for y, f in firms.items()])
    rows["county"] = rows["county_code"].replace({"110102": "110105", "110103": "110105"})
    out = []
    for (level, width), digits in itertools.product(LEVEL_DIGITS.items(), (4, 3, 2)):
        labels = industry_labels(CONCORDANCE, known_codes(), digits)
        industry = [labels[(v, c[:digits])] for v, c in zip(rows["vintage"], rows["industry_code"])]
        grouped = rows.assign(region_code=rows["county"].str[:width], industry_code=industry) \
            .groupby(["year", "region_code", "industry_code"], as_index=False) \
            .agg(output=("output", "sum"), employment=("employment", "sum"),
                 total_assets=("total_assets", "sum"), n_firms=("firm_id", "size"))
        out.append(grouped.assign(region_level=level, industry_digits=digits))
    return pd.concat(out, ignore_index=True)


def expected_industry_proximity() -> pd.DataFrame:
    """Harmonised industry proximity at each level: a harmonised industry's products are the union of its
    2002 members' (the only vintage with ISIC links here); phi = W Phi W'."""
    space = as_matrix(numpy_product_space(trade()), "product_a", "product_b", "proximity")
    products = list(space.columns)
    rows = []
    for digits in (4, 3, 2):
        labels = industry_labels(CONCORDANCE, known_codes(), digits)
        links = pd.DataFrame([(labels[("2002", code[:digits])], product)
                              for code, isic in ISIC_OF_2002.items() for product in SITC_OF_ISIC.get(isic, [])],
                             columns=["industry", "product"]).drop_duplicates()
        weights = (pd.crosstab(links["industry"], links["product"]).reindex(columns=products, fill_value=0) > 0)
        weights = weights.astype(float)
        weights = weights.div(weights.sum(axis=1), axis=0)
        matrix = weights.to_numpy() @ space.to_numpy() @ weights.to_numpy().T
        for (i, a), (j, b) in itertools.product(enumerate(weights.index), repeat=2):
            if a != b:
                rows.append((digits, a, b, matrix[i, j]))
    return pd.DataFrame(rows, columns=["industry_digits", "industry_a", "industry_b", "proximity"])


def test_harmonised_industries_at_every_level(revision):
    _, tables = revision
    got = tables["int_industry_harmonised"]
    for digits in (4, 3, 2):
        want = industry_labels(CONCORDANCE, known_codes(), digits)
        level = got[got["industry_digits"] == digits]
        assert {(r.vintage, r.industry_code): r.harmonised_code for r in level.itertuples()} == want
    four = got[got["industry_digits"] == 4].set_index(["vintage", "industry_code"])["harmonised_code"]
    # the colliding code string is two industries, 4011 and 4111
    assert four[("1994", "4111")] == "4011" != four[("2002", "4111")] == "4111"
    assert four[("1994", "4211")] == "4111"
    two = got[got["industry_digits"] == 2].set_index(["vintage", "industry_code"])["harmonised_code"]
    assert two[("1994", "41")] == "40" and two[("1994", "42")] == "41" and two[("2002", "40")] == "40"


def test_cells_at_every_level(revision):
    firms, tables = revision
    key = ["year", "region_level", "region_code", "industry_digits", "industry_code"]
    got = tables["cells"].sort_values(key).reset_index(drop=True)
    want = expected_cells(firms).sort_values(key).reset_index(drop=True)
    assert len(got) == len(want)
    assert (got[key].astype(str).to_numpy() == want[key].astype(str).to_numpy()).all()
    for column in ("output", "employment", "total_assets", "n_firms"):
        np.testing.assert_allclose(got[column].to_numpy(float), want[column].to_numpy(float), rtol=1e-12)
    # 2002 division 40 is its own 2-digit industry, holding 1994's division 41; nothing of it is in 41
    two = got[(got["industry_digits"] == 2) & (got["region_level"] == "province")]
    division_40_firms = sum(((f["industry_code"].str[:2] == ("41" if y == 1995 else "40"))).sum()
                            for y, f in firms.items())
    assert two.loc[two["industry_code"] == "40", "n_firms"].sum() == division_40_firms


def test_industry_proximity_of_the_harmonised_levels(revision):
    _, tables = revision
    key = ["industry_digits", "industry_a", "industry_b"]
    want = expected_industry_proximity().sort_values(key).reset_index(drop=True)
    mart = tables["industry_proximity"]
    got = mart[mart["classification"] == "harmonised"].sort_values(key).reset_index(drop=True)
    assert (got[key].astype(str).to_numpy() == want[key].astype(str).to_numpy()).all()
    np.testing.assert_allclose(got["proximity"].to_numpy(float), want["proximity"].to_numpy(float),
                               rtol=1e-12, atol=1e-15)
    # 3 digits: 401 (1994:411 = 2002:4011 + 4012) and 411 (1994:421 = 2002:4111) are distinct industries
    assert {("401", "411"), ("132", "131")} <= set(zip(got["industry_a"], got["industry_b"]))


def test_region_index_at_every_level_matches_numpy(revision):
    firms, tables = revision
    phi = expected_industry_proximity()
    want = numpy_region_index(expected_cells(firms), phi)
    key = ["year", "region_level", "region_code", "industry_digits", "weight"]
    got = tables["region_proximity"].sort_values(key).reset_index(drop=True)
    want = want.sort_values(key).reset_index(drop=True)
    assert len(got) == len(want)
    assert (got[key].astype(str).to_numpy() == want[key].astype(str).to_numpy()).all()
    np.testing.assert_allclose(got["proximity"].to_numpy(float), want["proximity"].to_numpy(float),
                               rtol=1e-10, atol=1e-13, equal_nan=True)
    np.testing.assert_allclose(got["excluded_share"].to_numpy(float), want["excluded_share"].to_numpy(float),
                               rtol=1e-10, atol=1e-13, equal_nan=True)
    assert (got["n_industries"].to_numpy() == want["n_industries"].to_numpy()).all()
    county = want[(want["region_level"] == "county") & (want["industry_digits"] == 4)]
    wide = county.pivot(index=["region_code", "year"], columns="weight", values="proximity").sort_index()
    mart = tables["county_proximity"].set_index(["county_code", "year"]).sort_index()
    assert list(mart.index) == list(wide.index)
    for column, weight in zip(("proximity_output", "proximity_employment", "proximity_asset"), WEIGHTS):
        np.testing.assert_allclose(mart[column].to_numpy(float), wide[weight].to_numpy(float),
                                   rtol=1e-10, atol=1e-13, equal_nan=True)
