"""Tests of the synthetic census generator (python/cluster_finance/generate).

Small scale (0.01 / 0.1) for contract, determinism, real codes and planted county effects; one full-scale
run (module fixture, marked slow) for the calibration to the paper's Tables 1, 2 and 5. Everything is read
from the repository (the paper's tables in generate/paper_targets/, the real reference tables in
seeds/reference/): nothing here needs ../shared."""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

import generate_helpers as H  # noqa: E402
from harmonise_reference import industry_labels  # noqa: E402
from cluster_finance.generate import generate_census, main  # noqa: E402
from cluster_finance.generate import proximity as prox  # noqa: E402
from cluster_finance.generate.build import FIRM_COLUMNS  # noqa: E402
from cluster_finance.generate.reference import DIVISION_1994, cic2002_classes  # noqa: E402
from cluster_finance.generate.targets import DIVISION_CODES, load_targets  # noqa: E402
from cluster_finance.reference import read_shipped  # noqa: E402

TARGETS = load_targets()
# What the generator writes: only the synthetic tables (the build takes the real ones from seeds/reference)
REF_COLUMNS = {
    "industry_concordance": ["code_1994", "code_2002"],
    "industry_isic": ["vintage", "industry_code", "isic_code"],
    "yearbook_totals": ["year", "gross_output_trillion_rmb"],
}


def _gen(tmp_path_factory, name, scale, seed=0):
    d = tmp_path_factory.mktemp(name)
    s = generate_census(d / "raw", d / "ref", scale=scale, seed=seed, progress=False)
    return d, s


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return _gen(tmp_path_factory, "small", 0.01)


@pytest.fixture(scope="module")
def mid(tmp_path_factory):
    d, s = _gen(tmp_path_factory, "mid", 0.1)
    firms, refs = H.load(d / "raw", d / "ref")
    return d, s, firms, refs, H.county_measures(firms, refs)


@pytest.fixture(scope="module")
def mid_panel(mid):
    """Firm panel of the mid run, matched on firm_id then on normalised name (as the warehouse)."""
    _, _, firms, _, county = mid
    return H.panel(firms, county)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    d, s = _gen(tmp_path_factory, "full", 1.0)
    firms, refs = H.load(d / "raw", d / "ref")
    return d, s, firms, refs


def _digest(d: Path) -> dict:
    return {p.relative_to(d).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------------------------
def test_deterministic_same_bytes_and_seed_matters(tmp_path, small):
    d, _ = small
    generate_census(tmp_path / "a" / "raw", tmp_path / "a" / "ref", scale=0.01, seed=0, progress=False)
    assert _digest(tmp_path / "a") == _digest(d)
    generate_census(tmp_path / "b" / "raw", tmp_path / "b" / "ref", scale=0.01, seed=1, progress=False)
    da, db = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert da["raw/firms_1995.parquet"] != db["raw/firms_1995.parquet"]
    assert da["ref/industry_concordance.csv"] != db["ref/industry_concordance.csv"]     # a new 1994 vintage


def test_cli_small(tmp_path):
    rc = main(["--scale", "0.005", "--seed", "3", "--out", str(tmp_path / "raw"),
               "--reference-out", str(tmp_path / "ref"), "--no-progress"])
    assert rc == 0
    assert (tmp_path / "raw" / "firms_1995.parquet").exists()
    assert sorted(p.name for p in (tmp_path / "ref").iterdir()) == sorted(f"{n}.csv" for n in REF_COLUMNS)


def test_file_contract(small):
    d, summary = small
    for y in (1995, 2004):
        f = pd.read_parquet(d / "raw" / f"firms_{y}.parquet")
        assert list(f.columns) == FIRM_COLUMNS
        assert len(f) == summary["n_firms"][y]
        for c in ("firm_id", "firm_name", "county_code", "industry_code"):
            assert f[c].map(type).eq(str).all(), c
        assert f["founding_year"].dtype == np.int64 and f["employment"].dtype == np.int64
        for c in FIRM_COLUMNS[5:10] + FIRM_COLUMNS[11:]:
            assert f[c].dtype == np.float64, c
    assert sorted(p.name for p in (d / "ref").iterdir()) == sorted(f"{n}.csv" for n in REF_COLUMNS)
    for name, cols in REF_COLUMNS.items():
        p = d / "ref" / f"{name}.csv"
        assert list(pd.read_csv(p, nrows=0).columns) == cols, name
        text = p.read_text(encoding="utf-8")
        if name in ("industry_concordance", "industry_isic"):
            assert text.splitlines()[1].startswith('"'), "codes must be quoted text"
    # the 1994 links only: the 2002 ones are the seed's (int_industry_isic takes it when none are given)
    assert (pd.read_csv(d / "ref" / "industry_isic.csv", dtype=str)["vintage"] == "1994").all()
    yb = H.read_ref(d / "ref", "yearbook_totals")
    assert dict(zip(yb.year, yb.gross_output_trillion_rmb)) == pytest.approx({1995: 5.526, 2004: 18.722})


def test_no_rule_breaking_rows(small):
    d, _ = small
    regions = read_shipped("regions")
    ind = H.read_ref(d / "ref", "industry_isic")
    conc = H.read_ref(d / "ref", "industry_concordance")
    for y, vint in ((1995, "code_1994"), (2004, "code_2002")):
        f = pd.read_parquet(d / "raw" / f"firms_{y}.parquet")
        assert f["firm_id"].is_unique
        assert f["county_code"].str.fullmatch(r"\d{6}").all()
        assert f["industry_code"].str.fullmatch(r"\d{4}").all()
        # real GB/T 2260 units valid in the firm's year (else the warehouse rejects: unknown_county_code)
        assert f["county_code"].isin(set(regions.loc[regions.year == y, "county_code"])).all()
        assert f["industry_code"].isin(set(conc[vint])).all()
        for c in ("output", "total_assets"):
            assert (f[c] > 0).all(), c
        for c in ("sales", "export_value", "value_added", "value_added_income", "fixed_assets", "total_debt",
                  "accounts_receivable", "accounts_payable"):
            assert (f[c] >= 0).all(), c
        assert (f["employment"] >= 1).all()
        sh = f[["state_share", "collective_share", "private_share", "hmt_share", "foreign_share"]]
        assert ((sh >= 0) & (sh <= 1)).all().all() and (sh.sum(axis=1) <= 1.0 + 1e-9).all()
        assert (f["founding_year"] <= y).all() and (y - f["founding_year"] <= 99).all()
        assert f.notna().all().all()
    assert ind["vintage"].isin({"1994", "2002"}).all()


def test_2004_firms_on_real_cic2002_classes_with_products(small):
    """2004 codes are real CIC 2002 classes of Table 1's divisions; outside recycling (43) and water (46),
    whose classes reach no traded product, each reaches a product of the real product space."""
    d, _ = small
    f = pd.read_parquet(d / "raw" / "firms_2004.parquet")
    classes = cic2002_classes()
    assert f["industry_code"].isin(set(classes["code"])).all()
    assert set(f["industry_code"].str[:2]) == set(DIVISION_CODES)
    refs = {n: H.read_ref(d / "ref", n) for n in ("industry_isic", "isic_sitc", "world_trade")}
    products, _ = prox.product_proximity_from_trade(refs["world_trade"])
    with_product = set(prox.industry_products(refs["industry_isic"], refs["isic_sitc"], products)
                       .query("vintage == '2002'")["industry_code"])
    no_product = ~f["industry_code"].isin(with_product)
    assert set(f.loc[no_product, "industry_code"].str[:2]) == {"43", "46"}


def test_1994_vintage_changes_like_the_real_revision(small):
    """The synthetic CIC 1994 vintage: divisions 40-43 renumbered to 2002's 39-42 (1994's 39 is 2002's
    recycling), splits, merges and many-to-many links, codes moved between 3-digit groups; no link crosses a
    2002 division otherwise, so each 2-digit harmonised industry is one 2002 division (Table 1's rows)."""
    d, _ = small
    conc = H.read_ref(d / "ref", "industry_concordance")
    div94, div02 = conc["code_1994"].str[:2], conc["code_2002"].str[:2]
    assert (div94 == div02.map(lambda x: DIVISION_1994.get(x, x))).all()
    assert {(a, b) for a, b in zip(div94, div02) if a != b} == {("40", "39"), ("41", "40"), ("42", "41"),
                                                                ("43", "42"), ("39", "43")}
    assert set(conc["code_2002"]) == set(cic2002_classes()["code"])       # every real class of 06-46
    n02 = conc.groupby("code_1994")["code_2002"].nunique()
    n94 = conc.groupby("code_2002")["code_1994"].nunique()
    assert (n02 > 1).sum() >= 10 and (n94 > 1).sum() >= 10            # splits and merges
    h = prox.harmonise_industries(conc)
    comp = h.groupby("harmonised_code")["vintage"].value_counts().unstack(fill_value=0)
    assert ((comp["1994"] >= 2) & (comp["2002"] >= 2)).sum() >= 3       # many-to-many components
    assert ((comp["1994"] == 1) & (comp["2002"] == 1)).mean() > 0.6     # mostly one-to-one
    assert (h.loc[h.vintage == "2002", "harmonised_code"] <= h.loc[h.vintage == "2002", "industry_code"]).all()
    moved = conc["code_1994"].str[2] != conc["code_2002"].str[2]
    assert moved.sum() >= 10                                            # codes moving between groups
    h3, h2 = prox.harmonise_industries(conc, 3), prox.harmonise_industries(conc, 2)
    n_groups = conc["code_2002"].str[:3].nunique()
    assert 0.6 * n_groups < h3["harmonised_code"].nunique() < n_groups  # some groups merge, most do not
    assert sorted(h2["harmonised_code"].unique()) == sorted(DIVISION_CODES)
    division_2002_of_1994 = {v: k for k, v in DIVISION_1994.items()}
    want = [c if v == "2002" else division_2002_of_1994.get(c, c) for v, c in zip(h2.vintage, h2.industry_code)]
    assert (h2["harmonised_code"] == want).all()
    # every 4-digit harmonised industry lies in one 3-digit one; its label need not be a prefix
    m3 = conc.assign(h4=conc["code_2002"].map(h[h.vintage == "2002"].set_index("industry_code")["harmonised_code"]),
                     h3=conc["code_2002"].str[:3].map(h3[h3.vintage == "2002"].set_index("industry_code")["harmonised_code"]))
    assert (m3.groupby("h4")["h3"].nunique() == 1).all()
    assert (m3["h4"].str[:3] != m3["h3"]).any()
    # the generator's harmonisation is the warehouse's (the union-find the SQL is tested against)
    pairs = list(zip(conc["code_1994"], conc["code_2002"]))
    for digits, hd in ((4, h), (3, h3), (2, h2)):
        assert dict(zip(zip(hd.vintage, hd.industry_code), hd.harmonised_code)) == industry_labels(pairs, [], digits)
    # 1994 ISIC links are derived through the concordance
    ii = H.read_ref(d / "ref", "industry_isic")
    i94 = ii[ii.vintage == "1994"].merge(conc, left_on="industry_code", right_on="code_1994")
    i02 = ii[ii.vintage == "2002"]
    assert set(zip(i94.industry_code, i94.isic_code)) == set(
        zip(*conc.merge(i02, left_on="code_2002", right_on="industry_code")[["code_1994", "isic_code"]].T.to_numpy()))


def test_firms_on_real_counties_with_the_real_crosswalk(mid):
    """Counties are real GB/T 2260 units of each year; firms of merged or split counties carry the code of
    their year, and Chongqing's 1995 firms carry Sichuan (51) codes that harmonise into province 50."""
    d, s, firms, refs, _ = mid
    cw = read_shipped("county_crosswalk")
    f95, f04 = firms[1995], firms[2004]
    changed = set(cw.loc[cw.code_from != cw.code_to, "code_from"])
    assert f95["county_code"].isin(changed).sum() > 0
    cq = f95[f95["h_county"].str[:2] == "50"]
    assert len(cq) > 0 and (cq["county_code"].str[:2] == "51").all()
    assert (f04.loc[f04["h_county"].str[:2] == "50", "county_code"].str[:2] == "50").all()
    assert f04["h_county"].nunique() == s["n_harmonised_counties"]
    assert f95["h_county"].nunique() >= 0.98 * s["n_harmonised_counties"]      # a few small ones have no 1995 firm
    # the generator writes no regions or crosswalk: the build takes the shipped ones
    assert not (d / "ref" / "regions.csv").exists() and not (d / "ref" / "county_crosswalk.csv").exists()


def test_harmonisation_follows_the_warehouse_rules():
    """proximity.harmonise_*: components labelled by the smallest 2002 / 2004 code, colliding labels not
    merged; a 1994 code the concordance leaves out is '1994:<code>', a 1995 county the crosswalk leaves out
    continues under its own code (implicit identity), as int_industry_harmonised / int_county_harmonised."""
    conc = pd.DataFrame({"code_1994": ["1312", "1313", "1314", "4011"], "code_2002": ["1320", "1312", "1312", "3911"]})
    conc = pd.concat([conc, pd.DataFrame({"code_1994": ["1312"], "code_2002": ["1330"]})], ignore_index=True)
    h = prox.harmonise_industries(conc, codes_1994=["1510"], codes_2002=["1511"])
    lab = dict(zip(h.vintage + ":" + h.industry_code, h.harmonised_code))
    assert lab["1994:1312"] == lab["2002:1320"] == lab["2002:1330"] == "1320"    # 1994:1312 split
    assert lab["1994:1313"] == lab["1994:1314"] == lab["2002:1312"] == "1312"    # merged into 2002:1312
    assert lab["1994:4011"] == "3911" and lab["1994:1510"] == "1994:1510" and lab["2002:1511"] == "1511"
    h3 = prox.harmonise_industries(conc, 3)
    assert dict(zip(h3.vintage + ":" + h3.industry_code, h3.harmonised_code)) == {
        "1994:131": "131", "2002:131": "131", "2002:132": "131", "2002:133": "131", "1994:401": "391",
        "2002:391": "391"}
    cw = pd.DataFrame({"code_from": ["510221", "110101", "110102"], "year_from": 1995,
                       "code_to": ["500101", "110101", "110101"], "year_to": 2004})
    hc = prox.harmonise_counties(cw, {1995: ["130101"], 2004: ["500102"]})
    lab = dict(zip(hc.year.astype(str) + ":" + hc.county_code, hc.harmonised_code))
    assert lab["1995:510221"] == "500101" and lab["1995:110102"] == lab["2004:110101"] == "110101"
    assert lab["1995:130101"] == lab["2004:130101"] == "130101" and lab["2004:500102"] == "500102"


def test_panel_and_crosswalk_consistency(mid):
    d, s, firms, refs, county = mid
    f95, f04 = firms[1995], firms[2004]
    m = f95.merge(f04, on="firm_id", suffixes=("_95", "_04"))
    assert 0 < s["n_panel_firms_new_id"] < 0.02 * s["n_panel_firms"]
    assert abs(len(m) + s["n_panel_firms_new_id"] - 7613) <= 1
    assert (m["h_county_95"] == m["h_county_04"]).all()
    assert (m["h_industry_95"] == m["h_industry_04"]).all()
    assert 0.05 < (m["firm_name_95"] != m["firm_name_04"]).mean() < 0.3
    # some panel firms sit in counties whose code changed
    assert (m["county_code_95"] != m["county_code_04"]).sum() > 0


def test_firm_names_distinct_except_planted_renumbered_panel_firms(mid):
    """After the warehouse's name normalisation no two distinct firms share a name within a harmonised
    county and industry, except the planted panel firms whose firm_id changed (the name fallback finds
    exactly these)."""
    _, s, firms, _, _ = mid
    norm = {y: H.normalise_firm_name(firms[y]["firm_name"]) for y in (1995, 2004)}
    for y in (1995, 2004):
        f = firms[y].assign(norm=norm[y])
        assert f["norm"].notna().all()
        assert not f.duplicated(["h_county", "h_industry", "norm"]).any(), y
    ids = set(firms[1995]["firm_id"]) & set(firms[2004]["firm_id"])
    nonpanel = pd.concat([firms[y].assign(norm=norm[y]).loc[lambda d: ~d["firm_id"].isin(ids)] for y in (1995, 2004)])
    nm = H.name_matches(firms)
    assert len(nm) == s["n_panel_firms_new_id"] > 0
    planted = set(nm["firm_id_95"]) | set(nm["firm_id_04"])
    rest = nonpanel[~nonpanel["firm_id"].isin(planted)]
    assert not rest.duplicated(["h_county", "h_industry", "norm"]).any()     # no collision between non-panel firms
    # the renumbered firms carry the same normalised name and harmonised cells in both years
    a = nonpanel.set_index("firm_id").loc[nm["firm_id_95"], ["h_county", "h_industry", "norm"]].to_numpy()
    b = nonpanel.set_index("firm_id").loc[nm["firm_id_04"], ["h_county", "h_industry", "norm"]].to_numpy()
    assert (a == b).all()


def test_county_proximity_level_and_rise(mid):
    _, _, _, _, county = mid
    for y in (1995, 2004):
        p = county[y]["proximity_output"]
        assert 0.19 < p.mean() < 0.25
        assert 0.02 < p.std() < 0.07
    assert county[2004]["proximity_output"].mean() - county[1995]["proximity_output"].mean() > -0.01


def _county_join(county):
    return county[1995].merge(county[2004], left_index=True, right_index=True, suffixes=("_95", "_04"))


def _in_ci(est, table, column, dep, var, widen=1.0):
    r = TARGETS.regressions
    row = r[(r.table == table) & (r.column == column) & (r.dependent == dep) & (r.variable == var)].iloc[0]
    return abs(est - row.coef) <= 1.96 * row.se * widen, (est, row.coef, row.se * widen)


# KNOWN REGRESSION (issue 12 note): since single-industry counties enter at proximity 0 (the warehouse's
# default, the paper's samples) and the generator plants them at 0 too, the p5 / p10 plans no longer reach
# their proximity targets at scale 0.1 (e.g. -0.05 against -1.875); the cause is not found yet (the
# zero-proximity counties are few-firm ones, whose p5 / p10 the plans cannot place). Strict: the mark
# fails the suite as soon as they pass again.
P5_P10_OFF = pytest.mark.xfail(strict=True, reason="p5/p10 plans miss with single-industry counties at 0 "
                                                   "(known regression, see the issue 12 note)")


@pytest.mark.parametrize("stat", ["min", pytest.param("p5", marks=P5_P10_OFF), pytest.param("p10", marks=P5_P10_OFF)])
@pytest.mark.parametrize("w,col", [("asset", 1), ("employment", 2), ("output", 3)])
def test_table6_min_asset_recovered(mid, w, col, stat):
    """Columns 1-3 of all three panels: the minimum is planted in every county, p5 / p10 only where a
    county has ranks of its own there, the others' gaps being offset in the larger counties' plans.
    (Column 4, the lag alone, is not planted: it follows from the others.)"""
    c = _county_join(mid[4])
    dep, lag = f"{stat}_asset_2004", f"{stat}_asset_1995"
    dd = c[[f"{stat}_asset_04", f"{stat}_asset_95", f"proximity_{w}_95"]].dropna()
    b, _ = H.ols_hc1(dd.iloc[:, 0].to_numpy(), dd.iloc[:, 1:].to_numpy())
    ok, info = _in_ci(b[2], 6, col, dep, f"proximity_1995_{w}")
    assert ok, info
    assert b[2] == pytest.approx(TARGETS.coef(6, col, dep, f"proximity_1995_{w}"), abs=0.05)
    # one signal serves the three columns' lag targets (least squares), so the lag is close, not exact
    ok, info = _in_ci(b[1], 6, col, dep, lag)
    assert ok, info


@pytest.mark.parametrize("w,col", [("output", 1), ("employment", 2), ("asset", 3)])
def test_table8_firm_counts_recovered(mid, w, col):
    c = _county_join(mid[4])
    dd = c[["n_firms_04", "n_firms_95", f"proximity_{w}_95"]].dropna()
    dd = dd[(dd.n_firms_04 > 0) & (dd.n_firms_95 > 0)]
    b, _ = H.ols_hc1(np.log(dd.n_firms_04.to_numpy()),
                     np.column_stack([np.log(dd.n_firms_95.to_numpy()), dd.iloc[:, 2].to_numpy()]))
    for est, var in ((b[1], "log_n_firms_1995"), (b[2], f"proximity_1995_{w}")):
        ok, info = _in_ci(est, 8, col, "log_n_firms_2004", var)
        assert ok, info


@pytest.mark.parametrize("w,col", [("output", 4), ("employment", 5), ("asset", 6)])
def test_table8_small_firms_proximity_recovered(mid, w, col):
    """Small-firm counts are steered (outputs permuted within cells) so that column 4's lag and proximity
    effects are the paper's (to within 0.01 and 0.1 in the generator's own county units); 5 and 6 follow.
    The lag CI is the paper's widened for the smaller sample (scale 0.1 has about a third of the counties)."""
    c = _county_join(mid[4])
    dd = c[["n_small_firms_04", "n_small_firms_95", f"proximity_{w}_95"]].dropna()
    dd = dd[(dd.n_small_firms_04 > 0) & (dd.n_small_firms_95 > 0)]
    b, se = H.ols_hc1(np.log(dd.iloc[:, 0].to_numpy().astype(float)),
                      np.column_stack([np.log(dd.iloc[:, 1].to_numpy().astype(float)), dd.iloc[:, 2].to_numpy()]))
    dep = "log_n_small_firms_2004"
    ok, info = _in_ci(b[2], 8, col, dep, f"proximity_1995_{w}")
    assert ok, info
    n_paper = TARGETS.coef(8, col, dep, "n_obs")
    ok, info = _in_ci(b[1], 8, col, dep, "log_n_small_firms_1995", widen=np.sqrt(max(1.0, n_paper / len(dd))))
    assert ok, info
    if col == 4:
        assert b[2] == pytest.approx(TARGETS.coef(8, 4, dep, "proximity_1995_output"), abs=0.15)
        assert b[1] == pytest.approx(TARGETS.coef(8, 4, dep, "log_n_small_firms_1995"), abs=0.02)


T9_COLUMNS = pytest.mark.parametrize("dep,cols", [("export_sales", [("asset", 1), ("employment", 2), ("output", 3)]),
                                                   ("exporter", [("asset", 4), ("employment", 5), ("output", 6)])])


@T9_COLUMNS
def test_table9_exports_recovered(mid_panel, dep, cols):
    """Table 9 with firm fixed effects (panel matched on firm_id, then on name as the warehouse does):
    exporter status and export/sales are steered so that each column returns the paper's coefficients
    (proximity, year04 and every firm control)."""
    _check_table9(mid_panel, dep, cols)


def _check_table9(p, dep, cols):
    t9 = ["firm_age", "log_sales", "private_share", "hmt_share", "other_foreign_share", "year04"]
    for w, col in cols:
        b, _ = H.fe_ols(p, dep, t9 + [f"proximity_{w}"])
        target = TARGETS.coef(9, col, dep, f"proximity_{w}")
        assert b[f"proximity_{w}"] == pytest.approx(target, abs=0.01), (dep, w, b[f"proximity_{w}"], target)
        # One signal serves the three columns, and in each the year04 estimate absorbs (proximity
        # coefficient x mean proximity change).  The paper's proximity changes differ by weight (Table 5:
        # employment-weighted 0.222 -> 0.220, the others rise by ~0.008); the synthetic ones rise alike.
        # So year04 is held to its CI widened by exactly that gap.
        d = p.pivot_table(index="firm_id", columns="year", values=f"proximity_{w}")
        synthetic_change = (d[2004] - d[1995]).mean()
        paper_change = TARGETS.t5(f"proximity_2004_{w}")[0] - TARGETS.t5(f"proximity_1995_{w}")[0]
        slack = abs(target) * abs(synthetic_change - paper_change)
        paper, se = TARGETS.coef(9, col, dep, "year04"), TARGETS.se(9, col, dep, "year04")
        assert abs(b["year04"] - paper) <= 1.96 * se + slack, (dep, w, b["year04"], paper, slack)
        # both outcomes are steered on every coefficient (DGP.md): the controls to within 0.25 of the SE
        # this sample would have, checked at 0.5
        n_firms = p["firm_id"].nunique()
        for v in t9[:-1]:
            se_here = max(TARGETS.se(9, col, dep, v), 0.0005) * np.sqrt(76130 / n_firms)
            assert abs(b[v] - TARGETS.coef(9, col, dep, v)) <= 0.5 * se_here, (dep, v, b[v], TARGETS.coef(9, col, dep, v))


def test_firm_panel_effects_recovered(mid_panel):
    p = mid_panel.copy()
    t7 = ["firm_age", "log_sales", "debt_asset", "fixed_asset_asset", "private_share", "hmt_share",
          "other_foreign_share", "year04"]
    for dep, w, col in (("accounts_payable_total_debt", "asset", 1), ("accounts_receivable_revenue", "employment", 5)):
        b, _ = H.fe_ols(p, dep, t7 + [f"proximity_{w}"])
        assert b[f"proximity_{w}"] == pytest.approx(TARGETS.coef(7, col, dep, f"proximity_{w}"), abs=0.02)
        assert b["year04"] == pytest.approx(TARGETS.coef(7, col, dep, "year04"), abs=0.005)
    p["log_labor_x_year04"] = p.log_labor * p.year04
    p["log_asset_x_year04"] = p.log_asset * p.year04
    t10 = ["log_labor", "log_asset", "log_labor_x_year04", "log_asset_x_year04", "firm_age", "private_share",
           "hmt_share", "other_foreign_share", "year04"]
    b, _ = H.fe_ols(p, "log_value_added", t10 + ["proximity_output"])
    assert b["proximity_output"] == pytest.approx(TARGETS.coef(10, 6, "log_value_added2", "proximity_output"), abs=0.05)
    assert b["log_asset"] == pytest.approx(0.804, abs=0.01)


# ------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_full_scale_counts_exact(full, full_county):
    """Table 1 by the division of the harmonised industry (1995's codes are 1994's, renumbered) and Table 2
    by the province of the harmonised county (1995's Chongqing firms carry Sichuan codes)."""
    _, s, firms, _ = full
    assert s["n_firms"] == {1995: 506409, 2004: 1363284}
    assert 2800 <= s["n_counties"][2004] <= 2920 and s["n_harmonised_counties"] >= 2700
    for y in (1995, 2004):
        f = firms[y]
        got = f.groupby(f.h_industry.str[:2]).size()
        want = TARGETS.industries.set_index("division")[f"n_firms_{y}"]
        assert (got.reindex(want.index) == want).all()
        gotp = f.groupby(f.h_county.str[:2]).size()
        wantp = TARGETS.provinces.set_index("province_code")[f"n_firms_{y}"]
        if y == 2004:
            assert (gotp.reindex(wantp.index) == wantp).all()
        else:   # Table 2 (500,833) + the 5,576 unassigned firms spread proportionally
            r = gotp.reindex(wantp.index) / wantp
            assert r.between(1.009, 1.014).all() and gotp.sum() == 506409
    assert abs(s["n_panel_firms"] - 76130) <= 1


@pytest.mark.slow
def test_full_scale_output_moments(full, full_county):
    _, _, firms, _ = full
    for y in (1995, 2004):
        f = firms[y]
        g = f.groupby(f.h_industry.str[:2])["output"].agg(["mean", "std"])
        t = TARGETS.industries.set_index("division")
        assert ((g["mean"] / t[f"mean_{y}"]).between(0.99, 1.01)).all()
        assert ((g["std"] / t[f"sd_{y}"]).between(0.9, 1.1)).all()
        g = f.groupby(f.h_county.str[:2])["output"].agg(["mean", "std"])
        t = TARGETS.provinces.set_index("province_code")
        assert ((g["mean"] / t[f"mean_{y}"]).between(0.9, 1.1)).all()
        sd_ratio = g["std"] / t[f"sd_{y}"]
        assert sd_ratio.between(0.9, 1.1).all(), sd_ratio.round(2).to_dict()


@pytest.fixture(scope="module")
def full_county(full):
    _, _, firms, refs = full
    return H.county_measures(firms, refs)


@pytest.fixture(scope="module")
def full_panel(full, full_county):
    return H.panel(full[2], full_county)


@pytest.mark.slow
@T9_COLUMNS
def test_full_scale_table9_exports_recovered(full_panel, dep, cols):
    """Table 9 at full scale, where steering export/sales on every coefficient used to run the shares
    into their bounds (DGP.md)."""
    _check_table9(full_panel, dep, cols)


@pytest.mark.slow
def test_full_scale_table5_firm_variables(full, full_county):
    firms, county = full[2], full_county
    p = H.panel(firms, county, by_name=False)
    firm_rows = TARGETS.table5[TARGETS.table5.panel == "firm"].variable
    assert len(firm_rows) == 14
    for t5name in firm_rows:
        col = {"log_employment": "log_labor"}.get(t5name, t5name)
        m, s = TARGETS.t5(t5name)
        assert p[col].mean() == pytest.approx(m, rel=0.10), (t5name, p[col].mean(), m)
        assert p[col].std() == pytest.approx(s, rel=0.10), (t5name, p[col].std(), s)
    for y in (1995, 2004):
        assert 0.20 < county[y]["proximity_output"].mean() < 0.24


# SHA-256 of the paper's published tables (../shared/paper in the development environment)
PAPER_TABLE_SHA256 = {
    "table1_output_by_industry.csv": "fe608d6d0d9c2b1bc87188c954cb1681d5fe7de9f9d0582074ecd86a0de87504",
    "table2_output_by_province.csv": "e35c3aa535fd82ab6f8dbc60bd9cf3de7d0ab351e96405d1cf6858b0476632b0",
    "table3_sample_vs_yearbook.csv": "3cda4183b9e3f7ed93c86e682be7141749c7a3f0498417273f10f4f65b1db978",
    "table5_summary_stats.csv": "d8842e2e2b7c2ff652a73263bf3e339dcff4b64e114917070aafd7490c45b0e0",
    "tables6_10_regressions.csv": "cda28822a8a4b9d140c68fbaed2efdaf921ddb34a7152ad473b0e9b3dcd8ed1f",
}


def test_shipped_paper_targets_equal_the_paper_tables():
    """The generator's own copy of the calibration targets is the paper's published tables, byte for byte:
    against ../shared/paper where it exists, else against the digests recorded from it."""
    from conftest import REPO_ROOT

    shared = REPO_ROOT.parent / "shared" / "paper"
    shipped = REPO_ROOT / "python" / "cluster_finance" / "generate" / "paper_targets"
    assert sorted(p.name for p in shipped.glob("*.csv")) == sorted(PAPER_TABLE_SHA256)
    for name, digest in PAPER_TABLE_SHA256.items():
        data = (shipped / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
        if shared.exists():
            assert data == (shared / name).read_bytes(), name


def test_newton_stays_bounded_when_the_target_is_out_of_reach():
    """The small-firm steering solves for two weights with calibrate.newton; in a small census the paper's
    coefficients can be out of reach, and undamped Newton then ran off to 1e9 (scale 0.03, seed 11 gave
    a proximity effect of -0.99 instead of about 5.9). Steps are capped and x kept in a box; the best
    point seen is returned."""
    from cluster_finance.generate import calibrate as cal

    x, fx = cal.newton(lambda x: np.tanh(x) - 2.0, np.array([0.0]), tol=np.array([1e-6]))
    assert x[0] == pytest.approx(5.0) and fx[0] == pytest.approx(np.tanh(5.0) - 2.0)   # as close as the box allows
    root, f_root = cal.newton(lambda x: x ** 3 - 8.0, np.array([1.0]), tol=np.array([1e-9]))
    assert root[0] == pytest.approx(2.0) and abs(f_root[0]) <= 1e-9
