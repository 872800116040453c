"""Relatedness and complexity (issue 16, SPEC section 11): the SQL marts against independent computations.

- An independent numpy implementation of Stata `ecomplexity` (tests/complexity_numpy.py), on the real
  226 x 785 trade table that ships with the project, on hand-made edge cases, and on the tiny census.
- Stata itself: a golden file of `ecomplexity`'s output (tests/fixtures/ecomplexity_stata, from the
  Growth Lab's py-ecomplexity test suite), fed to the warehouse as world_trade.
- The PyPI port `ecomplexity` (pinned) as a peer on the small Stata table. Its two documented departures
  from Stata are undone before comparing: it keeps phi(p,p) = 1 in density (so it is given Stata's
  proximity, diagonal 0, as `proximity_edgelist`), and it standardises with numpy's population sd over
  countries (Stata: sd with N - 1 over the country x product rows), a factor sqrt(N / (N - 1)), N = N_c N_p.
- Hand-worked values: a path whose ECI has a sign tie; a country with no product above the threshold; a
  product nobody exports above it.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from complexity_numpy import complexity
from conftest import REPO_ROOT

STATA_FIXTURE = Path(__file__).parent / "fixtures" / "ecomplexity_stata" / "stata_ecomplexity_1995.csv"
SELECT = ["+country_product_complexity"]


def query(warehouse: Path, sql: str) -> pd.DataFrame:
    from cluster_finance.warehouse import connect

    with connect(warehouse) as con:
        return con.sql(sql).df()


def build_trade(root: Path, trade: pd.DataFrame) -> Path:
    from cluster_finance.warehouse import build_warehouse

    (root / "raw").mkdir()
    (root / "reference").mkdir()
    trade.to_csv(root / "reference" / "world_trade.csv", index=False)
    pd.DataFrame({"isic_code": ["1000"], "sitc_code": ["0001"]}).to_csv(root / "reference" / "isic_sitc.csv",
                                                                       index=False)
    return build_warehouse(root / "raw", root / "reference", root / "warehouse.duckdb",
                           target_path=root / "target", select=SELECT).warehouse


def assert_close(sql: pd.DataFrame, reference: pd.DataFrame, keys: list[str], columns: list[str], tolerance: float):
    merged = sql.merge(reference, on=keys, suffixes=("_sql", "_ref"), validate="one_to_one")
    assert len(merged) == len(sql) == len(reference)
    for column in columns:
        left, right = merged[f"{column}_sql"].to_numpy(float), merged[f"{column}_ref"].to_numpy(float)
        assert (np.isnan(left) == np.isnan(right)).all(), column
        if (~np.isnan(left)).any():
            # absolute below 1, relative above (location quotients run to the thousands)
            worst = np.nanmax(np.abs(left - right) / np.maximum(1.0, np.abs(right)))
            assert worst < tolerance, f"{column}: max |SQL - reference| / max(1, |reference|) = {worst:.3g}"


# --------------------------------------------------------------------------------------- real trade table


@pytest.fixture(scope="module")
def real_trade() -> pd.DataFrame:
    from cluster_finance.reference import read_shipped

    return read_shipped("world_trade")


@pytest.fixture(scope="module")
def real_build(tmp_path_factory, real_trade):
    return build_trade(tmp_path_factory.mktemp("complexity_real"), real_trade)


def test_real_trade_matches_numpy(real_build, real_trade):
    """226 x 785: every column of country_product_complexity against the dense numpy computation."""
    sql = query(real_build, "select * from country_product_complexity")
    wide = real_trade.pivot_table(index="country", columns="product", values="value", aggfunc="sum", fill_value=0.0)
    reference = complexity(wide).long("country", "product")
    assert len(sql) == wide.shape[0] * wide.shape[1] == 226 * 785
    assert (sql.merge(reference, on=["country", "product"]).pipe(
        lambda m: (m.is_present_x == m.is_present_y) & (m.diversity_x == m.diversity_y)
        & (m.ubiquity_x == m.ubiquity_y)).all())
    assert_close(sql, reference.rename(columns={"value": "export_value"}), ["country", "product"],
                 ["export_value", "rca", "density"], 1e-12)
    assert_close(sql, reference, ["country", "product"], ["eci", "pci", "coi", "cog"], 1e-8)


def test_real_trade_eigenvalue_matches_eigh(real_build, real_trade):
    """The power iteration's eigenvalue against numpy.linalg.eigh of the symmetric form of Mcc."""
    wide = real_trade.pivot_table(index="country", columns="product", values="value", aggfunc="sum", fill_value=0.0)
    x = wide.to_numpy()
    m = ((x / x.sum(1, keepdims=True)) / (x.sum(0) / x.sum()) > 1).astype(float)
    kc, kp = m.sum(1), m.sum(0)
    symmetric = (m / np.sqrt(kc)[:, None] / kp) @ (m / np.sqrt(kc)[:, None]).T
    eigenvalues = np.linalg.eigvalsh(symmetric)[::-1]
    sql = query(real_build, "select distinct eigenvalue, iterations, step_change, residual, is_sign_tie "
                            "from int_country_product_eigenvectors")
    assert len(sql) == 1
    row = sql.iloc[0]
    assert abs(eigenvalues[0] - 1) < 1e-12
    assert abs(row.eigenvalue - eigenvalues[1]) < 1e-12
    assert row.residual < 1e-10 and row.step_change < 1e-12 and not row.is_sign_tie
    assert row.iterations < 1000


def test_real_trade_standardisation(real_build):
    """ECI has mean 0 and (Stata's) sd 1 over the rows; a country's raw ECI is the mean raw PCI of its products."""
    stats = query(real_build, "select avg(eci) as mean, stddev_samp(eci) as sd, avg(coi) as coi_mean, "
                              "stddev_samp(coi) as coi_sd from country_product_complexity").iloc[0]
    assert abs(stats["mean"]) < 1e-9 and abs(stats.sd - 1) < 1e-9
    assert abs(stats.coi_mean) < 1e-9 and abs(stats.coi_sd - 1) < 1e-9
    means = query(real_build, "select country, any_value(eci) as eci, avg(pci) as mean_pci "
                              "from country_product_complexity where is_present group by country")
    assert np.abs(means.eci - means.mean_pci).max() < 1e-9


# ---------------------------------------------------------------------------- Stata golden file and edges


def stata_trade() -> pd.DataFrame:
    golden = pd.read_csv(STATA_FIXTURE, dtype={"product": str})
    return golden.assign(year=1995).rename(columns={"export_value": "value"})[["year", "country", "product", "value"]]


def edge_trade() -> pd.DataFrame:
    """2001: zzz exports half the world total of every product, so its RCA is exactly 1 everywhere (nothing
    above the threshold). 2002: product 0009 is exported by every country in proportion to its other
    exports, RCA exactly 1 (ubiquity 0). 2003: a path aaa {1,2} - bbb {2,3} - ccc {3,4}."""
    rng = np.random.default_rng(16)
    rows = []
    base = rng.integers(1, 60, size=(5, 6)).astype(float)
    base[rng.random(base.shape) < 0.25] = 0.0
    countries = ["c1", "c2", "c3", "c4", "c5"]
    for i, country in enumerate(countries):
        for j in range(6):
            rows.append((2001, country, f"{j + 1:04d}", base[i, j]))
            rows.append((2002, country, f"{j + 1:04d}", base[i, j]))
        rows.append((2002, country, "0009", base[i].sum()))
    for j in range(6):
        rows.append((2001, "zzz", f"{j + 1:04d}", base[:, j].sum()))
    path = {"aaa": [10, 10, 1, 1], "bbb": [1, 10, 10, 1], "ccc": [1, 1, 10, 10]}
    for country, values in path.items():
        for j, value in enumerate(values):
            rows.append((2003, country, f"{j + 1:04d}", float(value)))
    return pd.DataFrame(rows, columns=["year", "country", "product", "value"])


@pytest.fixture(scope="module")
def edge_build(tmp_path_factory):
    return build_trade(tmp_path_factory.mktemp("complexity_edges"), pd.concat([stata_trade(), edge_trade()]))


def stata_golden() -> pd.DataFrame:
    return pd.read_csv(STATA_FIXTURE, dtype={"product": str})


def test_numpy_reference_equals_stata():
    golden = stata_golden()
    wide = golden.pivot_table(index="country", columns="product", values="export_value", aggfunc="sum")
    reference = complexity(wide).long("country", "product")
    merged = reference.merge(golden, on=["country", "product"], suffixes=("", "_stata"))
    for column in ["eci", "pci", "coi", "density", "cog"]:
        known = merged[f"{column}_stata"].notna()
        assert known.sum() > 0
        assert np.abs(merged.loc[known, column] - merged.loc[known, f"{column}_stata"]).max() < 1e-12, column


def test_sql_equals_stata(edge_build):
    """The mart on Stata's own test input equals Stata's output (ecomplexity, default options)."""
    sql = query(edge_build, "select * from country_product_complexity where year = 1995")
    merged = sql.merge(stata_golden(), on=["country", "product"], suffixes=("", "_stata"), validate="one_to_one")
    assert len(merged) == 300
    for column, tolerance in [("eci", 1e-9), ("pci", 1e-9), ("coi", 1e-9), ("density", 1e-12), ("cog", 1e-9)]:
        known = merged[f"{column}_stata"].notna()
        assert np.abs(merged.loc[known, column] - merged.loc[known, f"{column}_stata"]).max() < tolerance, column


def test_ecomplexity_peer_on_the_stata_table(edge_build):
    """PyPI ecomplexity (pinned) as a peer, its two departures from Stata undone (module docstring)."""
    from ecomplexity import ecomplexity

    trade = stata_trade()
    sql = query(edge_build, "select * from country_product_complexity where year = 1995")
    reference = complexity(trade.pivot_table(index="country", columns="product", values="value"))
    m = reference.presence
    co_occurrence = m.T @ m
    phi = np.minimum(co_occurrence / m.sum(0)[None, :], co_occurrence / m.sum(0)[:, None])
    np.fill_diagonal(phi, 0.0)
    products = reference.activities
    edges = pd.DataFrame({"prod1": np.repeat(products, len(products)), "prod2": np.tile(products, len(products)),
                          "proximity": phi.ravel()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = ecomplexity(trade, {"time": "year", "loc": "country", "prod": "product", "val": "value"},
                           proximity_edgelist=edges, check_logsupermodularity=False, verbose=False)
    n = m.size
    factor = np.sqrt((n - 1) / n)  # numpy's population sd over countries -> Stata's sd over the rows
    peer = peer.assign(**{c: peer[c] * factor for c in ["eci", "pci", "coi", "cog"]})
    peer = peer.rename(columns={"mcp": "is_present"}).assign(is_present=lambda f: f.is_present.astype(bool))
    assert_close(sql, peer, ["country", "product"], ["rca", "density"], 1e-12)
    assert_close(sql, peer, ["country", "product"], ["eci", "pci", "coi", "cog"], 1e-9)
    assert (sql.merge(peer, on=["country", "product"]).pipe(lambda f: f.is_present_x == f.is_present_y)).all()


def test_edge_cases_match_numpy(edge_build):
    sql = query(edge_build, "select * from country_product_complexity where year > 2000")
    trade = edge_trade()
    for year, frame in trade.groupby("year"):
        wide = frame.pivot_table(index="country", columns="product", values="value", aggfunc="sum", fill_value=0.0)
        reference = complexity(wide).long("country", "product")
        assert_close(sql[sql.year == year].drop(columns="year"), reference, ["country", "product"],
                     ["rca", "density", "eci", "pci", "coi", "cog"], 1e-9)


def test_country_with_nothing_above_the_threshold(edge_build):
    rows = query(edge_build, "select * from country_product_complexity where year = 2001 and country = 'zzz'")
    assert len(rows) == 6 and (rows.rca == 1.0).all() and not rows.is_present.any()
    assert (rows.diversity == 0).all() and rows.eci.isna().all()
    # its outlook is defined: it has nothing nearby (density 0), so raw COI is 0
    assert rows.coi.notna().all() and (rows.density == 0).all()
    others = query(edge_build, "select eci from country_product_complexity where year = 2001 and country <> 'zzz'")
    assert others.eci.notna().all()


def test_product_nobody_exports_above_the_threshold(edge_build):
    rows = query(edge_build, "select * from country_product_complexity where year = 2002 and product = '0009'")
    assert len(rows) == 5 and (rows.rca == 1.0).all() and (rows.ubiquity == 0).all()
    assert rows.pci.isna().all() and rows.density.isna().all() and rows.cog.isna().all()
    assert rows.eci.notna().all() and rows.coi.notna().all()


def test_sign_tie_on_a_path_hand_worked(edge_build):
    """Mcc has eigenvalues 1, 3/4, 1/4; kc = (1, 0, -1) and kp = (1, 1/2, -1/2, -1) up to scale. Every
    country has diversity 2: a sign tie, settled by making aaa (first in code order) positive. Stata's
    standardisation over the 12 rows: sd = sqrt(4 * 2 * 0.75^2 / 11) for kc = (0.75, 0, -0.75), so
    ECI = (sqrt(11/8), 0, -sqrt(11/8)) and PCI = sqrt(11/4.5) (1, 1/2, -1/2, -1)."""
    rows = query(edge_build, "select country, product, eci, pci from country_product_complexity where year = 2003")
    eci = rows.groupby("country").eci.first()
    pci = rows.groupby("product").pci.first()
    assert np.allclose(eci[["aaa", "bbb", "ccc"]], [np.sqrt(11 / 8), 0.0, -np.sqrt(11 / 8)], atol=1e-9)
    assert np.allclose(pci[["0001", "0002", "0003", "0004"]], np.sqrt(11 / 4.5) * np.array([1, 0.5, -0.5, -1]),
                       atol=1e-9)
    diagnostics = query(edge_build, "select distinct eigenvalue, is_sign_tie from int_country_product_eigenvectors "
                                    "where year = 2003").iloc[0]
    assert diagnostics.is_sign_tie and abs(diagnostics.eigenvalue - 0.75) < 1e-12


def test_repeated_squaring_agrees_with_power_iteration(edge_build, tmp_path):
    """var complexity_eigen_method: squaring (the unrolled method the Spark branch runs) gives the same mart."""
    from cluster_finance.warehouse import run_dbt

    copy = tmp_path / "squaring.duckdb"
    shutil.copy(edge_build, copy)
    power = query(edge_build, "select * from country_product_complexity")
    result = run_dbt(["run", "--select", "int_country_product_eigenvectors", "country_product_complexity"], copy,
                     {"raw_dir": str(edge_build.parent / "raw"), "reference_dir": str(edge_build.parent / "reference"),
                      "complexity_eigen_method": "squaring"}, tmp_path / "target")
    assert result.success
    squaring = query(copy, "select * from country_product_complexity")
    keys = ["year", "country", "product"]
    merged = power.merge(squaring, on=keys, suffixes=("_power", "_squaring"))
    assert len(merged) == len(power)
    for column in ["eci", "pci", "coi", "cog", "density"]:
        assert np.nanmax(np.abs(merged[f"{column}_power"] - merged[f"{column}_squaring"])) < 1e-9, column


# ------------------------------------------------------------------------------------------------ regions


def region_reference(warehouse: Path, weight: str) -> tuple[pd.DataFrame, pd.DataFrame, set]:
    cells = query(warehouse, "select * from cells")
    proximity = query(warehouse, "select industry_digits, industry_a, industry_b, proximity from industry_proximity "
                                 "where classification = 'harmonised'")
    out, disconnected = [], set()
    for (year, level, digits), group in cells.groupby(["year", "region_level", "industry_digits"]):
        group = group[group[weight] > 0].astype({weight: float})
        wide = group.pivot_table(index="region_code", columns="industry_code", values=weight, aggfunc="sum",
                                 fill_value=0.0)
        phi = proximity[proximity.industry_digits == digits].pivot(index="industry_a", columns="industry_b",
                                                                   values="proximity")
        result = complexity(wide, 1.0, phi)
        if result.eigenvalues.size >= 2 and result.eigenvalues[1] > 1 - 1e-9:
            disconnected.add((year, level, digits))
        long = result.long("region_code", "industry_code").assign(year=year, region_level=level,
                                                                  industry_digits=digits)
        out.append(long.rename(columns={"rca": "location_quotient", "value": "size"}))
    return pd.concat(out, ignore_index=True), cells, disconnected


def compare_regions(warehouse: Path, weight: str, min_connected_share: float = 0.0):
    sql = query(warehouse, "select * from region_industry_complexity")
    reference, _, disconnected = region_reference(warehouse, weight)
    keys = ["year", "region_level", "region_code", "industry_digits", "industry_code"]
    assert (sql.weight == weight).all()
    assert_close(sql, reference, keys, ["size", "location_quotient", "density"], 1e-12)
    connected = ~sql[["year", "region_level", "industry_digits"]].apply(tuple, axis=1).isin(disconnected)
    ref_connected = ~reference[["year", "region_level", "industry_digits"]].apply(tuple, axis=1).isin(disconnected)
    # A disconnected network (second eigenvalue 1, a repeated one) has no unique second eigenvector: any
    # solver's choice is as good as another's, so those groups are compared on the rest only.
    assert_close(sql[connected], reference[ref_connected], keys, ["eci", "pci", "coi", "cog"], 1e-8)
    assert connected.sum() >= min_connected_share * len(sql)
    merged = sql.merge(reference, on=keys)
    assert (merged.is_present_x == merged.is_present_y).all() and (merged.diversity_x == merged.diversity_y).all()


def test_tiny_census_regions_match_numpy(tiny_warehouse):
    """The tiny census: LQ, presence and density everywhere (its networks are all disconnected)."""
    compare_regions(tiny_warehouse, "output")


@pytest.fixture(scope="module")
def small_census(tmp_path_factory):
    """A small synthetic census (scale 0.01) with its complexity chain: connected region-industry networks."""
    from cluster_finance.generate import generate_census
    from cluster_finance.warehouse import build_warehouse

    root = tmp_path_factory.mktemp("complexity_census")
    generate_census(root / "raw", root / "reference", scale=0.01, seed=5, progress=False)
    # the whole build: a selection would pull in tests of marts that depend on what it selects
    return build_warehouse(root / "raw", root / "reference", root / "warehouse.duckdb",
                           target_path=root / "target").warehouse


def test_small_census_regions_match_numpy(small_census):
    compare_regions(small_census, "output", min_connected_share=0.1)


def test_tiny_census_regions_employment_weight(tiny_warehouse, tmp_path):
    from cluster_finance.warehouse import run_dbt

    copy = tmp_path / "employment.duckdb"
    shutil.copy(tiny_warehouse, copy)
    root = tiny_warehouse.parent
    result = run_dbt(["run", "--select", "int_region_industry_presence+"], copy,
                     {"raw_dir": str(root / "raw"), "reference_dir": str(root / "reference"),
                      "complexity_weight": "employment"}, tmp_path / "target")
    assert result.success
    compare_regions(copy, "employment")


# -------------------------------------------------------------------------------------------------- entry


def test_entry_sample_and_lpm_against_statsmodels():
    """entry.fit_entry (absorbed two-way effects) equals OLS with county and industry dummies in statsmodels,
    coefficient and county-clustered SE (CR1, every dummy counted)."""
    import statsmodels.formula.api as smf

    from cluster_finance.analysis import entry

    rng = np.random.default_rng(3)
    counties, industries = [f"c{i:02d}" for i in range(25)], [f"{1300 + j}" for j in range(12)]
    rows = []
    for year in (1995, 2004):
        for county in counties:
            for industry in industries:
                density = rng.random() if rng.random() > 0.05 else np.nan
                rows.append((year, county, industry, rng.random() < 0.2 + 0.3 * np.nan_to_num(density), density))
    frame = pd.DataFrame(rows, columns=["year", "region_code", "industry_code", "is_present", "density"])
    frame = frame[~((frame.year == 2004) & (frame.region_code == "c00") & (frame.industry_code == "1300"))]
    sample = entry.entry_sample(frame, 1995, 2004)
    early = frame[frame.year == 1995]
    assert len(sample) == (~early.is_present & early.density.notna()).sum() - int(
        (~early.is_present & early.density.notna() & (early.region_code == "c00") & (early.industry_code == "1300")).any())
    fit = entry.fit_entry(sample)
    ols = smf.ols("entry ~ density + C(county) + C(industry)", data=sample).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(sample["county"])[0]})
    assert abs(fit.coefficient - ols.params["density"]) < 1e-9
    assert abs(fit.standard_error - ols.bse["density"]) < 1e-9
    deciles = entry.entry_by_decile(sample)
    assert deciles.n_pairs.sum() == len(sample) and list(deciles.decile) == list(range(1, 11))
