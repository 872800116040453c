"""county_outcomes against numpy: minimum capital (min, 5th and 10th percentile of total assets in million
RMB, numpy's linear interpolation) and firm counts per harmonised county-year.

Hand-worked cases (a five-firm county, the small-firm threshold as a var) are the dbt unit tests in
models/marts/_marts_outcomes.yml; here the mart is compared with numpy on the tiny and the rich census.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from test_concentration import read_tables, rich_warehouse

SMALL_FIRM_OUTPUT = 5000.0  # thousand RMB: dbt_project.yml's default var small_firm_output


def expected_outcomes(firms: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (county, year), group in firms.groupby(["harmonised_county_code", "census_year"]):
        assets = group.loc[group["total_assets"] >= 0, "total_assets"].to_numpy(dtype=float) / 1000.0
        rows.append(dict(county_code=county, year=year, min_asset=assets.min(),
                         p5_asset=np.percentile(assets, 5, method="linear"),
                         p10_asset=np.percentile(assets, 10, method="linear"),
                         n_firms=len(group), n_small_firms=int((group["output"] < SMALL_FIRM_OUTPUT).sum())))
    return pd.DataFrame(rows).set_index(["county_code", "year"]).sort_index()


def compare(mart: pd.DataFrame, expected: pd.DataFrame) -> None:
    mart = mart.set_index(["county_code", "year"]).sort_index()
    assert list(mart.index) == list(expected.index)
    for column in ("n_firms", "n_small_firms"):
        assert (mart[column].to_numpy() == expected[column].to_numpy()).all(), column
    for column in ("min_asset", "p5_asset", "p10_asset"):
        np.testing.assert_allclose(mart[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float),
                                   rtol=1e-12, atol=1e-12, err_msg=column)


def test_percentiles_use_numpy_linear_interpolation_by_hand():
    """The unit test's hand-worked county: 0, 1, 2, 3, 10 million -> p5 = 0.2, p10 = 0.4 (position 4q)."""
    assets = np.array([1000, 3000, 2000, 10000, 0]) / 1000.0
    assert np.percentile(assets, 5) == pytest.approx(0.2)
    assert np.percentile(assets, 10) == pytest.approx(0.4)


def test_county_outcomes_on_the_tiny_census(tiny_warehouse):
    firms, mart = read_tables(tiny_warehouse, "int_firms_harmonised", "county_outcomes")
    expected = expected_outcomes(firms)
    compare(mart, expected)
    # the merged county 110105 pools 110102 and 110103 in 1995: A003 (20), A004 (30), A005 (900) thousand
    assert expected.loc[("110105", 1995), "n_firms"] == 3
    assert expected.loc[("110105", 1995), "min_asset"] == pytest.approx(0.02)


def test_county_outcomes_on_the_rich_census():
    firms, mart = read_tables(rich_warehouse(), "int_firms_harmonised", "county_outcomes")
    expected = expected_outcomes(firms)
    assert len(expected) >= 12 and (expected["n_firms"] >= 10).sum() >= 10
    compare(mart, expected)


def test_county_codes_are_harmonised(tiny_warehouse):
    """Counties that merged between the censuses appear under one code in both years."""
    (mart,) = read_tables(tiny_warehouse, "county_outcomes")
    assert not set(mart["county_code"]) & {"110102", "110103"}
    assert set(mart.loc[mart["year"] == 1995, "county_code"]) == set(mart.loc[mart["year"] == 2004, "county_code"])


def test_stata_percentiles_by_hand():
    """The unit test region_outcomes_stata_percentiles: Stata's summarize/_pctile definition is numpy's
    'averaged_inverted_cdf' (x_(k+1) for k = floor(n p) < n p, the mean of x_(k) and x_(k+1) when n p = k)."""
    five = np.array([0, 1, 2, 3, 10], dtype=float)
    assert np.percentile(five, [5, 10], method="averaged_inverted_cdf").tolist() == [0.0, 0.0]
    twenty = np.arange(1, 21, dtype=float)
    assert np.percentile(twenty, [5, 10], method="averaged_inverted_cdf").tolist() == [1.5, 2.5]
    assert np.percentile(twenty, [5, 10]).tolist() == pytest.approx([1.95, 2.9])   # linear, the default


def test_region_outcomes_pool_the_firms_of_each_level():
    """region_outcomes at county, prefecture and province level against numpy over all firms of the
    region (the prefecture's 5th percentile is that of all its firms, not an average over its counties),
    and county_outcomes is its county slice."""
    firms, regions, counties = read_tables(rich_warehouse(), "int_firms_harmonised", "region_outcomes",
                                           "county_outcomes")
    for level, column in (("county", "harmonised_county_code"), ("prefecture", "prefecture_code"),
                          ("province", "province_code")):
        expected = expected_outcomes(firms.assign(harmonised_county_code=firms[column]))
        got = regions.loc[regions["region_level"] == level].rename(columns={"region_code": "county_code"})
        compare(got, expected)
        industries = firms.groupby([column, "census_year"])["harmonised_industry_code"].nunique()
        got = got.set_index(["county_code", "year"]).sort_index()
        assert (got["n_industries"].to_numpy() == industries.sort_index().to_numpy()).all(), level
    assert (regions["region_level"] == "prefecture").sum() < (regions["region_level"] == "county").sum()
    slice_ = regions.loc[regions["region_level"] == "county"].drop(columns="region_level").rename(
        columns={"region_code": "county_code"})
    pd.testing.assert_frame_equal(counties.sort_values(["county_code", "year"]).reset_index(drop=True),
                                  slice_[counties.columns].sort_values(["county_code", "year"]).reset_index(drop=True))
