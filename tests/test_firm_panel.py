"""firm_panel, int_firm_matches and panel_match_rates against an independent pandas implementation.

The matching (firm_id first, then one-to-one normalised names within harmonised county and 4-digit
industry) and every regression variable are recomputed here from the census frames the build read
(Python's re and str methods, not the SQL macros), on the rich census of test_concentration.py, which
plants survivors with their id, survivors under a new id whose name differs only in legal form, case,
spaces or punctuation, namesakes that make a name ambiguous, and namesakes in another county. The
hand-worked edge cases (each ratio exactly at its cap, denominators of zero, caps as vars, name matching
switched off) are dbt unit tests in models/marts/_marts_outcomes.yml and models/intermediate/_int_panel.yml.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from test_concentration import read_tables, rich_census, rich_warehouse

CAPS = dict(ar_sales=2.0, debt_asset=3.0, ap_debt=1.2, fixed_asset=1.0, export_sales=1.0)  # var defaults
LATIN_FORMS = r"(co|ltd|inc|corp|company|limited|corporation|llc|plc)"
CHINESE_FORMS = ["股份有限公司", "有限责任公司", "有限公司", "公司", "厂"]


def normalise(name) -> str | None:
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    text = name.strip().lower()
    for _ in range(2):
        text = re.sub(r"[\W_]*\b" + LATIN_FORMS + r"\b[\W_]*$", "", text)
    text = "".join(ch for ch in text if ch.isalnum())
    for _ in range(2):
        for form in CHINESE_FORMS:
            if text.endswith(form):
                text = text[: -len(form)]
                break
    return text or None


def test_normalise_reference_implementation():
    assert normalise("Acme Co., Ltd.") == normalise("ACME") == "acme"
    assert normalise("北京 第三厂有限公司") == normalise("北京第三厂") == "北京第三"
    assert normalise("Disco") == "disco"
    assert normalise("厂") is None and normalise(None) is None


def expected_matches(firms: pd.DataFrame) -> pd.DataFrame:
    year_from, year_to = firms["census_year"].min(), firms["census_year"].max()
    a = firms[firms["census_year"] == year_from]
    b = firms[firms["census_year"] == year_to]
    by_id = sorted(set(a["firm_id"]) & set(b["firm_id"]))
    matches = [(i, i, "firm_id") for i in by_id]
    keys = ["harmonised_county_code", "harmonised_industry_code", "name_key"]
    left = a[~a["firm_id"].isin(by_id)].assign(name_key=lambda d: d["firm_name"].map(normalise)).dropna(subset=["name_key"])
    right = b[~b["firm_id"].isin(by_id)].assign(name_key=lambda d: d["firm_name"].map(normalise)).dropna(subset=["name_key"])
    left = left[~left.duplicated(keys, keep=False)]
    right = right[~right.duplicated(keys, keep=False)]
    pairs = left.merge(right, on=keys, suffixes=("_from", "_to"))
    matches += [(f, t, "name") for f, t in zip(pairs["firm_id_from"], pairs["firm_id_to"])]
    return pd.DataFrame(matches, columns=["firm_id_from", "firm_id_to", "match_method"])


def expected_panel(firms: pd.DataFrame, census: dict[int, pd.DataFrame], proximity: pd.DataFrame) -> pd.DataFrame:
    matches = expected_matches(firms)
    year_from, year_to = firms["census_year"].min(), firms["census_year"].max()
    rows = pd.concat([
        matches.assign(panel_id=matches["firm_id_from"], firm_id=matches["firm_id_from"], year=year_from),
        matches.assign(panel_id=matches["firm_id_from"], firm_id=matches["firm_id_to"], year=year_to),
    ])[["panel_id", "firm_id", "year", "match_method"]]
    raw = pd.concat([frame.assign(year=year) for year, frame in census.items()])
    codes = firms[["census_year", "firm_id", "harmonised_county_code", "harmonised_industry_code"]].rename(
        columns={"census_year": "year", "harmonised_county_code": "county_code", "harmonised_industry_code": "hic"})
    # Table 9's firm scale as the text defines it: sales over the average sales of the firm's industry that
    # year, over every census firm of the industry with sales (not only the panel's)
    everyone = pd.concat([frame.assign(year=year) for year, frame in census.items()])[["year", "firm_id", "sales"]]
    everyone = everyone.merge(codes, on=["year", "firm_id"])
    industry_mean = everyone.dropna(subset=["sales"]).groupby(["year", "hic"])["sales"].mean().rename("mean_sales")
    df = rows.merge(raw, on=["year", "firm_id"]).drop(columns=["county_code", "industry_code"])
    df = df.merge(codes, on=["year", "firm_id"]).rename(columns={"hic": "industry_code"})

    def ratio(num, den, cap, inclusive):
        num, den = df[num].to_numpy(dtype=float), df[den].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = num / den
        ok = (den > 0) & ((value <= cap) if inclusive else (value < cap))
        return np.where(ok, value, np.nan)

    def log(values):
        values = np.asarray(values, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(values > 0, np.log(values), np.nan)

    va, vai = df["value_added"].to_numpy(dtype=float), df["value_added_income"].to_numpy(dtype=float)
    export = df["export_value"].to_numpy(dtype=float)
    mean_sales = df.merge(industry_mean, left_on=["year", "industry_code"], right_index=True,
                          how="left")["mean_sales"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative_sales = np.where(mean_sales > 0, df["sales"].to_numpy(dtype=float) / mean_sales, np.nan)
    out = pd.DataFrame({
        "panel_id": df["panel_id"], "firm_id": df["firm_id"], "year": df["year"],
        "county_code": df["county_code"], "prefecture_code": df["county_code"].str[:4],
        "province_code": df["county_code"].str[:2], "industry_code": df["industry_code"],
        "match_method": df["match_method"],
        # clamped into var firm_age_range's default [0, 99]
        "firm_age": (df["year"] - df["founding_year"].astype(float)).clip(0, 99),
        "log_sales": log(df["sales"]),
        "sales_relative_to_industry": relative_sales,
        "debt_asset": ratio("total_debt", "total_assets", CAPS["debt_asset"], False),
        "fixed_asset_asset": ratio("fixed_assets", "total_assets", CAPS["fixed_asset"], True),
        "accounts_receivable_revenue": ratio("accounts_receivable", "sales", CAPS["ar_sales"], False),
        "accounts_payable_total_debt": ratio("accounts_payable", "total_debt", CAPS["ap_debt"], False),
        "export_sales": ratio("export_value", "sales", CAPS["export_sales"], True),
        "exporter": np.where(np.isnan(export), np.nan, (export > 0).astype(float)),
        "log_labor": log(df["employment"]),
        "log_asset": log(df["total_assets"]),
        "log_value_added": log(va),
        "log_value_added1": np.where((va > 0) & (vai > 0), log((va + vai) / 2), np.nan),
        "state_share": df["state_share"], "collective_share": df["collective_share"],
        "private_share": df["private_share"], "hmt_share": df["hmt_share"],
        "other_foreign_share": df["foreign_share"],
        "year04": (df["year"] == year_to).astype(int),
    })
    out = out.merge(proximity[["county_code", "year", "proximity_output",
                                                 "proximity_employment", "proximity_asset"]],
                    on=["county_code", "year"], how="left")
    return out.set_index(["panel_id", "year"]).sort_index()


@pytest.fixture(scope="module")
def rich_tables():
    return read_tables(rich_warehouse(), "int_firms_harmonised", "firm_panel", "int_firm_matches",
                       "panel_match_rates", "county_proximity")


def test_matches_equal_the_independent_matching(rich_tables):
    firms, _, matches, _, _ = rich_tables
    expected = expected_matches(firms).sort_values("firm_id_from").reset_index(drop=True)
    got = matches[["firm_id_from", "firm_id_to", "match_method"]].sort_values("firm_id_from").reset_index(drop=True)
    # the rich census plants both kinds, and ambiguous or moved namesakes that must stay unmatched
    assert (expected["match_method"] == "name").sum() >= 30 and (expected["match_method"] == "firm_id").sum() >= 150
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert (matches["panel_id"] == matches["firm_id_from"]).all()
    assert not matches["firm_id_to"].str.startswith("H").any()  # a namesake pair is ambiguous


def test_name_matches_are_the_planted_renamed_survivors(rich_tables):
    """Ground truth of the generator: G<k> is the renamed survivor of F<k>; wrong matches would show here."""
    _, _, matches, _, _ = rich_tables
    by_name = matches[matches["match_method"] == "name"]
    assert (by_name["firm_id_to"].str[1:] == by_name["firm_id_from"].str[1:]).all()
    assert by_name["firm_id_to"].str.startswith("G").all()


def test_firm_panel_equals_pandas(rich_tables):
    firms, panel, _, _, proximity = rich_tables
    expected = expected_panel(firms, rich_census(), proximity)
    got = panel.set_index(["panel_id", "year"]).sort_index()
    assert list(got.index) == list(expected.index)
    assert list(got.columns) == list(expected.columns)
    text = ("firm_id", "county_code", "prefecture_code", "province_code", "industry_code", "match_method")
    for column in text:
        assert (got[column].to_numpy() == expected[column].to_numpy()).all(), column
    numeric = [c for c in expected.columns if c not in text]
    for column in numeric:
        np.testing.assert_allclose(got[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float),
                                   rtol=1e-12, atol=0, err_msg=column)
    # the caps and denominators do bite in this census (so the NULL rules are exercised, not vacuous)
    for column in ("debt_asset", "accounts_receivable_revenue", "export_sales", "exporter", "log_asset",
                   "log_value_added1"):
        assert got[column].isna().sum() > 0 and got[column].notna().sum() > 0, column


def test_panel_match_rates(rich_tables):
    firms, _, matches, rates, _ = rich_tables
    n_from = int((firms["census_year"] == 1995).sum())
    n_to = int((firms["census_year"] == 2004).sum())
    expected = expected_matches(firms)["match_method"].value_counts()
    rates = rates.set_index("method")
    assert set(rates.index) == {"firm_id", "name", "all"}
    for method, n_matched in (("firm_id", expected["firm_id"]), ("name", expected["name"]),
                              ("all", len(expected_matches(firms)))):
        row = rates.loc[method]
        assert (row["year_from"], row["year_to"], row["n_firms_from"], row["n_firms_to"]) == (1995, 2004, n_from, n_to)
        assert row["n_matched"] == n_matched
        assert row["match_rate_from"] == pytest.approx(n_matched / n_from, rel=1e-12)
        assert row["match_rate_to"] == pytest.approx(n_matched / n_to, rel=1e-12)


def test_tiny_census_panel(tiny_warehouse):
    """tiny_inputs: A001-A004 and A006 keep their ids (A003 and A004 across the 110102/110103 -> 110105
    merge); A005 exits; B001-B003 enter."""
    panel, rates = read_tables(tiny_warehouse, "firm_panel", "panel_match_rates")
    assert sorted(panel["panel_id"].unique()) == ["A001", "A002", "A003", "A004", "A006"]
    assert (panel.groupby("panel_id")["year"].apply(sorted).map(tuple) == (1995, 2004)).all()
    assert set(panel.loc[panel["panel_id"].isin(["A003", "A004"]), "county_code"]) == {"110105"}
    assert (panel["year04"] == (panel["year"] == 2004)).all()
    everything = rates.set_index("method").loc["all"]
    assert (everything["n_firms_from"], everything["n_firms_to"], everything["n_matched"]) == (6, 8, 5)
