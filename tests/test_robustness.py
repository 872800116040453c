"""Issue 15: the robustness grid, the conventional measures, and the method fixes (Table 4's paired test,
firm age against Year04, single-industry counties, Table 8's and Table 9's readings, the settings the
report quotes), each held against an independent computation (numpy, linearmodels) or the paper's own
numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cluster_finance.analysis import county, descriptive, panel, robustness
from cluster_finance.analysis.run import analyse_frames
from cluster_finance.analysis.settings import Settings, project_settings, with_values
from test_analysis import EARLY, LATE, fake_marts

REPO = Path(__file__).resolve().parents[1]
PAPER_TARGETS = REPO / "python" / "cluster_finance" / "generate" / "paper_targets"
GRID_EXTRA = ["region_level", "industry_digits", "measure", "weight"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    marts = fake_marts(5)
    out = analyse_frames(marts, tmp_path_factory.mktemp("robust"), synthetic=True, progress=False,
                         min_cell_firms=3)
    return marts, out


# ----------------------------------------------------------------------------------------------------
# The grid

def test_robustness_csv_has_the_columns_of_coefficients_plus_the_grid(report):
    _, out = report
    grid = pd.read_csv(out["robustness"])
    coefs = pd.read_csv(out["coefficients"])
    assert list(grid.columns) == list(coefs.columns) + GRID_EXTRA
    prox = grid.loc[grid.measure == "proximity"]
    # the firm-panel tables: every level x digits x weight (27 cells per dependent), both SE types
    for table in (7, 9, 10):
        cells = prox.loc[prox.table == table].groupby("dependent")[["region_level", "industry_digits", "weight"]]
        assert (cells.apply(lambda d: len(d.drop_duplicates())) == 27).all()
        assert set(prox.loc[prox.table == table, "se_type"]) == {"hetero", "cluster"}
    # the region tables: county and prefecture everywhere (the fake census has 4 provinces: too few for OLS)
    for table in (6, 8):
        sub = prox.loc[prox.table == table]
        assert set(sub.region_level) >= {"county", "prefecture"}
        assert len(sub.loc[sub.region_level == "prefecture", ["dependent", "industry_digits", "weight"]]
                   .drop_duplicates()) == (27 if table == 6 else 18)
    # clustered by the region the measure varies over
    n_clusters = prox.loc[(prox.table == 9) & (prox.se_type == "cluster")].groupby("region_level")["n_clusters"].max()
    assert n_clusters["county"] > n_clusters["prefecture"] > n_clusters["province"]
    assert prox.loc[(prox.table == 9) & (prox.region_level == "prefecture") & (prox.se_type == "cluster"),
                    "cov"].str.contains("clustered by prefecture_code").all()


def test_the_paper_cell_of_the_grid_is_coefficients_csv(report):
    marts, out = report
    grid, coefs = out["robustness_frame"], out["coefficient_frame"]
    cell = grid.loc[(grid.region_level == "county") & (grid.industry_digits == 4) & (grid.measure == "proximity")]
    expected = coefs.loc[~((coefs.table == 6) & (coefs.column == 4))]
    key = ["table", "column", "dependent", "variable", "se_type"]
    m = cell.merge(expected, on=key, suffixes=("", "_main"))
    assert len(m) == len(expected) == len(cell)
    np.testing.assert_allclose(m.coef, m.coef_main, atol=1e-12)
    # fitted afresh (no main rows) the grid's swap reproduces the main tables
    fresh = robustness.robustness_grid(marts.region_measures, marts.region_outcomes, panel.prepare(marts.firm_panel),
                                       EARLY, LATE, Settings(), conventional_cells=())
    fresh = fresh.loc[(fresh.region_level == "county") & (fresh.industry_digits == 4)]
    m = fresh.merge(expected, on=key, suffixes=("", "_main"))
    assert len(m) == len(expected)
    np.testing.assert_allclose(m.coef, m.coef_main, atol=1e-10)
    np.testing.assert_allclose(m.se, m.se_main, rtol=1e-8)
    assert (m.n_obs == m.n_obs_main).all()
    assert set(m.weight) == {"asset", "employment", "output"}


@pytest.mark.filterwarnings("ignore::Warning")
def test_a_prefecture_cell_matches_linearmodels(report):
    """Table 9, column 1 with prefecture x 3-digit asset proximity: linearmodels PanelOLS, firm effects,
    robust and prefecture-clustered standard errors."""
    from linearmodels.panel import PanelOLS
    marts, out = report
    grid = out["robustness_frame"]
    m = robustness.measures_wide(marts.region_measures, "prefecture", 3)
    d = panel.prepare(marts.firm_panel).drop(columns=["proximity_asset"]).merge(
        m[["region_code", "year", "proximity_asset"]].rename(columns={"region_code": "prefecture_code"}),
        on=["prefecture_code", "year"], how="left")
    regs = ["proximity_asset", *panel.SPECS[9][2]]
    d = d.dropna(subset=["export_sales", *regs]).set_index(["panel_id", "year"])
    mod = PanelOLS(d["export_sales"], d[regs].assign(const=1.0), entity_effects=True, singletons=False)
    robust = mod.fit(cov_type="robust", debiased=True, auto_df=False, count_effects=True)
    cl = pd.Series(pd.factorize(d["prefecture_code"])[0], index=d.index)
    clustered = mod.fit(cov_type="clustered", clusters=cl, debiased=True, auto_df=False, count_effects=True,
                        group_debias=True)
    got = grid.loc[(grid.table == 9) & (grid.column == 1) & (grid.region_level == "prefecture")
                   & (grid.industry_digits == 3)]
    for se_type, ref in (("hetero", robust), ("cluster", clustered)):
        g = got.loc[got.se_type == se_type].set_index("variable")
        for v in regs + ["const"]:
            assert g.loc[v, "coef"] == pytest.approx(ref.params[v], abs=1e-8)
            assert g.loc[v, "se"] == pytest.approx(ref.std_errors[v], rel=1e-6)
        assert int(g["n_obs"].iloc[0]) == ref.nobs


def test_a_prefecture_region_table_matches_numpy(report):
    """Table 6 (min asset) and Table 8 (all firms) at prefecture x 2 digits: the prefecture's outcomes
    (region_outcomes) on their lag and the prefecture's proximity, HC1 by hand."""
    marts, out = report
    grid = out["robustness_frame"]
    ro = marts.region_outcomes.loc[marts.region_outcomes.region_level == "prefecture"].set_index(["region_code", "year"])
    m = robustness.measures_wide(marts.region_measures, "prefecture", 2).set_index(["region_code", "year"])
    a, b = ro.xs(EARLY, level="year"), ro.xs(LATE, level="year")
    p = m.xs(EARLY, level="year")
    for table, column, y, lag, prox in (
            (6, 2, b.min_asset, a.min_asset, p.proximity_employment),
            (8, 1, np.log(b.n_firms.astype(float)), np.log(a.n_firms.astype(float)), p.proximity_output)):
        d = pd.DataFrame({"y": y, "lag": lag, "prox": prox}).dropna()
        X = np.column_stack([d.lag, d.prox, np.ones(len(d))]) if table == 6 else \
            np.column_stack([d.prox, d.lag, np.ones(len(d))])
        beta = np.linalg.lstsq(X, d.y.to_numpy(), rcond=None)[0]
        e = d.y.to_numpy() - X @ beta
        bread = np.linalg.inv(X.T @ X)
        se = np.sqrt(np.diag(bread @ ((X * e[:, None] ** 2).T @ X) @ bread * len(d) / (len(d) - 3)))
        dependent = f"min_asset_{LATE}" if table == 6 else f"log_n_firms_{LATE}"
        got = grid.loc[(grid.table == table) & (grid.column == column) & (grid.dependent == dependent)
                       & (grid.region_level == "prefecture") & (grid.industry_digits == 2)].set_index("variable")
        name = f"proximity_{EARLY}_{'employment' if table == 6 else 'output'}"
        i = 1 if table == 6 else 0
        assert got.loc[name, "coef"] == pytest.approx(beta[i], abs=1e-10)
        assert got.loc[name, "se"] == pytest.approx(se[i], rel=1e-8)
        assert int(got.loc[name, "n_obs"]) == len(d)


def test_conventional_indices_replace_proximity_at_the_papers_level(report):
    _, out = report
    grid = out["robustness_frame"]
    conv = grid.loc[grid.measure.isin(["hhi", "krugman", "gini"])]
    assert set(zip(conv.region_level, conv.industry_digits)) == {("county", 4)}
    assert set(conv.table) == {6, 7, 8, 9, 10}
    # in the place of the output-weighted column, named as the paper names a regressor of that year
    hhi = conv.loc[conv.measure == "hhi"]
    assert set(hhi.loc[hhi.table == 7, "column"]) == {3, 6} and set(hhi.loc[hhi.table == 8, "column"]) == {1, 4}
    assert {"hhi_1995", "hhi"} <= set(hhi.variable)
    assert (conv.weight.fillna("") == "").all()
    text = out["extra_tables"]["conventional_regressions"]["markdown"].read_text()
    assert "| Table 7: accounts_payable_total_debt |" in text


def test_conventional_summary_is_paired_and_weighted(report):
    marts, out = report
    summary = pd.read_csv(out["extra_tables"]["conventional"]["markdown"].parent.parent / "conventional_measures.csv")
    row = summary.loc[(summary.measure == "hhi") & (summary.level == "prefecture")].iloc[0]
    rm = marts.region_measures
    v = rm.loc[(rm.measure == "hhi") & (rm.region_level == "prefecture") & (rm.industry_digits == 4)]
    sizes = marts.region_sizes.loc[(marts.region_sizes.region_level == "prefecture") & (marts.region_sizes.industry_digits == 4)]
    v = v.merge(sizes, on=["year", "region_level", "region_code", "industry_digits"])
    wide = v.pivot(index="region_code", columns="year", values=["value", "output"]).dropna()
    w = (wide[("output", EARLY)] / wide[("output", EARLY)].sum() + wide[("output", LATE)] / wide[("output", LATE)].sum()) / 2
    change = wide[("value", LATE)] - wide[("value", EARLY)]
    assert row.difference == pytest.approx(np.sum(w * change) / np.sum(w), abs=1e-12)
    assert row.n_pairs == len(wide)
    early = v.loc[v.year == EARLY]
    assert row.mean_early == pytest.approx(np.average(early.value, weights=early.output), abs=1e-12)


def test_robustness_figure_and_report_sections(report):
    _, out = report
    assert out["robustness_figure"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = out["report"].read_text()
    assert '<figure id="robustness_grid"' in text and 'id="conventional"' in text
    assert "Tables 6 and 8 at prefecture and province level: the outcomes are defined over all firms" in text


# ----------------------------------------------------------------------------------------------------
# Table 4: the paired difference, on the paper's own numbers

PAPER_TABLE4 = {  # the paper's Table 4 (province proximity, output weight), 1995 and 2004
    "Beijing": (0.206, 0.220), "Tianjin": (0.194, 0.208), "Hebei": (0.212, 0.219), "Shanxi": (0.207, 0.208),
    "Neimeng": (0.198, 0.214), "Liaoning": (0.204, 0.205), "Jilin": (0.206, 0.220),
    "Heilongjiang": (0.186, 0.197), "Shanghai": (0.222, 0.219), "Jiangsu": (0.210, 0.210),
    "Zhejiang": (0.211, 0.220), "Anhui": (0.204, 0.211), "Fujian": (0.208, 0.202), "Jiangxi": (0.200, 0.206),
    "Shandong": (0.200, 0.205), "Henan": (0.201, 0.209), "Hubei": (0.207, 0.216), "Hunan": (0.201, 0.210),
    "Guangdong": (0.209, 0.215), "Guangxi": (0.208, 0.214), "Hainan": (0.201, 0.207),
    "Chongqing": (0.206, 0.197), "Sichuan": (0.198, 0.202), "Guizhou": (0.188, 0.196), "Yunnan": (0.187, 0.197),
    "Tibet": (0.223, 0.238), "Shaanxi": (0.191, 0.192), "Gansu": (0.199, 0.205), "Qinghai": (0.197, 0.217),
    "Ningxia": (0.215, 0.220), "Xinjiang": (0.190, 0.199)}


def test_table4_paired_test_gives_the_papers_difference():
    """On the paper's Table 4 values, weighted by Table 2's province output (mean x firms): the paired test
    gives the paper's 0.005 (0.001); the pooled unpaired WLS the report used gave an SE of 0.0024."""
    t2 = pd.read_csv(PAPER_TARGETS / "table2_output_by_province.csv")
    t2 = t2.loc[t2.province != "Total"].reset_index(drop=True)
    assert len(t2) == 31
    names = list(PAPER_TABLE4)
    rows = []
    for i, r in t2.iterrows():
        p95, p04 = PAPER_TABLE4[names[i]]   # same order as the paper's Table 2 (Guangdong spelt Gongdong there)
        rows.append({"province_code": names[i], "year": 1995, "proximity": p95, "weight": r.mean_1995 * r.n_firms_1995})
        rows.append({"province_code": names[i], "year": 2004, "proximity": p04, "weight": r.mean_2004 * r.n_firms_2004})
    values = pd.DataFrame(rows)
    paired = descriptive.paired_difference(values, 1995, 2004)
    unpaired = descriptive.unpaired_difference(values, 1995, 2004)
    assert f"{paired['difference']:.3f} ({paired['se']:.3f})" == "0.005 (0.001)"
    assert paired["se"] == pytest.approx(0.0011, abs=5e-5) and paired["p_value"] < 0.01
    assert unpaired["se"] == pytest.approx(0.0024, abs=5e-5)
    assert paired["n_pairs"] == 31


def test_table4_note_says_paired(report):
    _, out = report
    md = out["tables"]["table4"]["markdown"].read_text()
    assert "a PAIRED test, each province compared with itself" in md


# ----------------------------------------------------------------------------------------------------
# Firm age and Year04

def consistent_ages(marts):
    """The fake panel with founding years reported the same in both censuses: age moves by exactly 9."""
    fp = marts.firm_panel.copy()
    first = fp.loc[fp.year == EARLY].set_index("panel_id")["firm_age"]
    fp["firm_age"] = fp["panel_id"].map(first) + (fp["year"] - EARLY)
    return fp


@pytest.mark.filterwarnings("ignore::Warning")
def test_age_collinear_with_year04_is_detected_and_named():
    from linearmodels.panel import PanelOLS
    marts = fake_marts(6)
    marts.firm_panel = consistent_ages(marts)
    data = panel.prepare(marts.firm_panel)
    table, tidy = panel.panel_table(7, data, EARLY, LATE, Settings())
    tidy = pd.DataFrame(tidy)
    omitted = tidy.loc[tidy["cov"] == "omitted (collinear)"]
    assert set(omitted.variable) == {"firm_age"}
    assert "year04" in set(tidy.variable)
    note = " ".join(table.notes)
    assert "Omitted as collinear with the firm effects and the other regressors: firm_age." in note
    assert "rises by exactly 9 years inside every panel firm" in note and "Year04 kept" in note
    assert "only the 0 of 300 panel firms" in note
    # the rest of the column is the regression without age (linearmodels, robust)
    regs = ["proximity_asset", *[c for c in panel.SPECS[7][2] if c != "firm_age"]]
    d = data.dropna(subset=["accounts_receivable_revenue", *regs, "firm_age"]).set_index(["panel_id", "year"])
    ref = PanelOLS(d["accounts_receivable_revenue"], d[regs].assign(const=1.0), entity_effects=True,
                   singletons=False).fit(cov_type="robust", debiased=True, auto_df=False, count_effects=True)
    got = tidy.loc[(tidy.column == 4) & (tidy.se_type == "hetero")].set_index("variable")
    for v in regs:
        assert got.loc[v, "coef"] == pytest.approx(ref.params[v], abs=1e-8)
        assert got.loc[v, "se"] == pytest.approx(ref.std_errors[v], rel=1e-6)


def test_age_identification_is_reported_when_founding_years_differ(report):
    marts, out = report
    info = panel.age_identification(marts.firm_panel, EARLY, LATE)
    assert 0 < info["n_other"] < info["n_firms"] == 300
    md = out["tables"]["table7"]["markdown"].read_text()
    assert f"only the {info['n_other']:,} of {info['n_firms']:,} panel firms" in md
    assert "firm_age" not in "".join(l for l in md.splitlines() if l.startswith("*Omitted"))
    assert "clamped into [0, 99]" in md


# ----------------------------------------------------------------------------------------------------
# Single-industry and empty counties: the paper's samples

def test_single_industry_counties_enter_with_zero_and_empty_ones_drop_out(tmp_path):
    """county_proximity gives 0 to a county with one industry in the product space and NULL to one with
    none (region_proximity's default, dbt unit test test_region_proximity_one_and_no_industry_regions);
    the county regressions then keep the first and drop the second, as the paper's Ns suggest."""
    marts = fake_marts(7)
    cp = marts.county_proximity
    single, empty = cp.county_code.unique()[[10, 11]]
    for code, value in ((single, 0.0), (empty, np.nan)):
        cp.loc[(cp.county_code == code) & (cp.year == EARLY),
               ["proximity_output", "proximity_employment", "proximity_asset"]] = value
    out = analyse_frames(marts, tmp_path, synthetic=False, progress=False, min_cell_firms=3,
                         robustness_grid=False)
    coefs = out["coefficient_frame"]
    co = marts.county_outcomes
    both = set(co.loc[co.year == EARLY, "county_code"]) & set(co.loc[co.year == LATE, "county_code"])
    with_prox = set(cp.loc[(cp.year == EARLY) & cp.proximity_asset.notna(), "county_code"])
    n = coefs.loc[(coefs.table == 6) & (coefs.column == 1), "n_obs"].iloc[0]
    assert n == len(both & with_prox) and single in with_prox and empty not in with_prox
    n4 = coefs.loc[(coefs.table == 6) & (coefs.column == 4), "n_obs"].iloc[0]
    assert n4 == len(both) == n + 1     # the lag alone keeps the county with no proximity
    assert "has proximity 0 (var single_industry_proximity = zero" in out["tables"]["table6"]["markdown"].read_text()


# ----------------------------------------------------------------------------------------------------
# Readings of the paper offered as settings

def test_table8_per_industry_reading(tmp_path):
    marts = fake_marts(8)
    settings = Settings(table8_firm_number="per_industry")
    out = analyse_frames(marts, tmp_path, synthetic=False, progress=False, min_cell_firms=3, settings=settings,
                         robustness_grid=False)
    co, cp = marts.county_outcomes.set_index(["county_code", "year"]), marts.county_proximity
    a, b = co.xs(EARLY, level="year"), co.xs(LATE, level="year")
    p = cp.loc[cp.year == EARLY].set_index("county_code")
    d = pd.DataFrame({"y": np.log(b.n_firms / b.n_industries), "prox": p.proximity_output,
                      "lag": np.log(a.n_firms / a.n_industries)}).dropna()
    X = np.column_stack([d.prox, d.lag, np.ones(len(d))])
    beta = np.linalg.lstsq(X, d.y.to_numpy(), rcond=None)[0]
    got = out["coefficient_frame"]
    got = got.loc[(got.table == 8) & (got.column == 1)].set_index("variable")
    assert got.loc[f"proximity_{EARLY}_output", "coef"] == pytest.approx(beta[0], abs=1e-10)
    md = out["tables"]["table8"]["markdown"].read_text()
    assert "log(average number of firms per industry) in 2004" in md and "table8_firm_number = per_industry" in md


def test_table8_default_reading_is_stated(report):
    _, out = report
    md = out["tables"]["table8"]["markdown"].read_text()
    assert "read as the log of the county's number of firms" in md and "table8_firm_number = per_industry" in md


def test_table9_relative_sales_option(tmp_path, report):
    marts = fake_marts(5)
    out = analyse_frames(marts, tmp_path, synthetic=False, progress=False, min_cell_firms=3,
                         settings=Settings(table9_firm_scale="relative_sales"), robustness_grid=False)
    c = out["coefficient_frame"]
    t9 = c.loc[c.table == 9]
    assert "sales_relative_to_industry" in set(t9.variable) and "log_sales" not in set(t9.variable)
    assert "log_sales" in set(c.loc[c.table == 7, "variable"])      # only Table 9's scale changes
    assert "Firm scale (sales / industry average)" in out["tables"]["table9"]["markdown"].read_text()
    default = report[1]["tables"]["table9"]["markdown"].read_text()
    assert "Log(sales), as the paper's Table 9 prints it" in default and "relative_sales" in default


def test_table10_note_on_value_added(report):
    md = report[1]["tables"]["table10"]["markdown"].read_text()
    assert "read as their mean with equal weights, where both are positive" in md
    assert "VA1 104,437 > VA2 103,128) are impossible" in md


def test_settings_defaults_and_build_settings_text():
    s = project_settings(REPO)
    assert (s.single_industry_proximity, s.percentile_method, s.firm_age_range) == ("zero", "linear", (0, 99))
    assert (s.concentration_industries, s.ellison_glaeser_size) == ("manufacturing", "employment")
    assert (s.table8_firm_number, s.table9_firm_scale, s.manufacturing_divisions) == ("count", "log_sales", ("13", "43"))
    built = with_values(s, {"percentile_method": "stata", "firm_age_range": "0,80", "unknown": "x"})
    assert built.percentile_method == "stata" and built.firm_age_range == (0, 80)
    with pytest.raises(ValueError):
        Settings(table8_firm_number="average")


def test_blas_threads_are_restored():
    from cluster_finance.analysis.blas import _functions, _openblas_libraries, blas_threads
    libs = [lib for lib in _openblas_libraries() if all(_functions(lib))]
    if not libs:
        pytest.skip("no OpenBLAS with thread controls loaded")
    before = int(_functions(libs[0])[1]())
    with blas_threads(1):
        assert int(_functions(libs[0])[1]()) == 1
    assert int(_functions(libs[0])[1]()) == before
