"""The product space and industry proximity against independent numpy computations (issue 4).

Real data: the world trade table that ships with the project (seeds/reference/world_trade.parquet: 226
countries x 785 SITC Rev.2 products, averaged over 1998-2000, the period Hausmann and Klinger averaged)
and the shipped ISIC Rev.3 -> SITC Rev.2 table; CIC 2002 -> ISIC Rev.3 comes from the committed seed. The
build is given an empty reference_dir, so it reads the shipped tables, as on a user's fresh machine. The warehouse's
product_proximity must equal a dense numpy computation pair by pair, and its mean off-diagonal
proximity must be the level the paper reports (about 0.206).

Properties on a synthetic multi-year trade table: symmetry, range, invariance to scaling all trade
values, a country with zero exports producing no NaN, a product nobody exports dropped, and the average
over the years in which a pair exists.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cluster_finance.reference import read_shipped
from conftest import REPO_ROOT

# Only the proximity chain and what it needs: other engineers' models are not built here.
PROXIMITY_SELECT = ["+industry_proximity", "+int_industries_without_product"]


# ------------------------------------------------------------------------------ independent numpy


def numpy_product_space(trade: pd.DataFrame, threshold: float = 1.0) -> pd.DataFrame:
    """Hausmann-Klinger proximity of one period: columns product_a, product_b, proximity (dense, all pairs).

    trade has columns country, product, value. Written from the formulas, not from the SQL:
    RCA = (x_cp / x_c) / (x_p / x), M = RCA > threshold, phi = (M'M)_pq / max(u_p, u_q).
    """
    matrix = trade.pivot_table(index="country", columns="product", values="value", aggfunc="sum", fill_value=0.0)
    x = matrix.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rca = (x / x.sum(axis=1, keepdims=True)) / (x.sum(axis=0, keepdims=True) / x.sum())
    present = np.nan_to_num(rca, nan=0.0, posinf=0.0) > threshold
    ubiquity = present.sum(axis=0)
    keep = ubiquity > 0
    present, ubiquity = present[:, keep].astype(np.int64), ubiquity[keep]
    products = matrix.columns[keep].astype(str)
    co_occurrence = present.T @ present
    phi = co_occurrence / np.maximum.outer(ubiquity, ubiquity)
    n = len(products)
    return pd.DataFrame({"product_a": np.repeat(products, n), "product_b": np.tile(products, n),
                         "proximity": phi.ravel()})


def numpy_product_space_years(trade: pd.DataFrame, threshold: float = 1.0) -> pd.DataFrame:
    """Per-year proximity averaged over the years in which the pair exists."""
    per_year = [numpy_product_space(frame, threshold) for _, frame in trade.groupby("year")]
    return pd.concat(per_year).groupby(["product_a", "product_b"], as_index=False)["proximity"].mean()


def as_matrix(pairs: pd.DataFrame, a: str, b: str, value: str) -> pd.DataFrame:
    return pairs.pivot(index=a, columns=b, values=value).sort_index().sort_index(axis=1)


# ----------------------------------------------------------------------------------------- inputs


def read_real_trade() -> pd.DataFrame:
    return read_shipped("world_trade")


def read_real_isic_sitc() -> pd.DataFrame:
    return read_shipped("isic_sitc")


def write_real_inputs(root: Path) -> tuple[Path, Path]:
    """An empty reference_dir (the build uses the shipped real tables) and a few 2004 firms on real codes."""
    raw, reference = root / "raw", root / "reference"
    raw.mkdir()
    reference.mkdir()
    # no industry_isic table: the seed cic2002_isic3 serves vintage 2002
    firms = pd.DataFrame({
        "firm_id": ["F1", "F2", "F3", "F4"],
        "county_code": ["110101", "110101", "110102", "110102"],
        "industry_code": ["1320", "1810", "3411", "4411"],
        "output": [100.0, 200.0, 300.0, 400.0],
        "employment": [10, 20, 30, 40],
        "total_assets": [50.0, 60.0, 70.0, 80.0],
    })
    firms.to_csv(raw / "firms_2004.csv", index=False)
    return raw, reference


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    """The proximity chain built from the real reference tables."""
    from cluster_finance.warehouse import build_warehouse

    root = tmp_path_factory.mktemp("real_product_space")
    raw, reference = write_real_inputs(root)
    result = build_warehouse(raw, reference, root / "warehouse.duckdb", target_path=root / "target",
                             select=PROXIMITY_SELECT)
    timings = {k: round(v, 3) for k, v in result.timings.items()
               if "product" in k or "industr" in k}
    print(f"\nreal chain build {result.seconds:.1f}s; model seconds: {timings}")
    return result


def query(warehouse: Path, sql: str) -> pd.DataFrame:
    from cluster_finance.warehouse import connect

    with connect(warehouse) as con:
        return con.sql(sql).df()


# ---------------------------------------------------------------------------------------- real data


def test_real_product_space_matches_numpy(real_build):
    mart = query(real_build.warehouse, "select product_a, product_b, proximity from product_proximity")
    expected = numpy_product_space(read_real_trade())

    assert len(mart) == len(expected)
    assert mart[["product_a", "product_b"]].duplicated().sum() == 0
    merged = expected.merge(mart, on=["product_a", "product_b"], how="outer", suffixes=("_numpy", "_sql"),
                            indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    difference = np.abs(merged["proximity_numpy"] - merged["proximity_sql"]).max()
    assert difference < 1e-12

    n_products = mart["product_a"].nunique()
    off_diagonal = mart.loc[mart["product_a"] != mart["product_b"], "proximity"]
    mean = off_diagonal.mean()
    print(f"\nreal product space: {n_products} products, mean off-diagonal proximity {mean:.4f}, "
          f"median {off_diagonal.median():.4f}, max |sql - numpy| {difference:.1e}")
    assert 0.20 < mean < 0.21
    # every product of the table is exported by some country with RCA > 1 (none dropped here)
    assert n_products == read_real_trade()["product"].nunique() == 785
    # the shipped table, as the build read it: 226 countries, 124,336 rows
    landed = query(real_build.warehouse, "select count(*) as n_rows, count(distinct country) as n_countries, "
                                         "min(source_file) as source_file from land_world_trade")
    assert landed.to_dict("records") == [{"n_rows": 124336, "n_countries": 226,
                                          "source_file": "seeds/reference/world_trade.parquet"}]


def test_real_product_space_is_fast(real_build):
    # Issue 4 asks for "well under 5 seconds inside dbt build" (about 1.5 s measured unloaded, see the
    # report). The bound here is looser because test machines run several builds at once; it still
    # catches an accidental cross join or a lost join key (tens of seconds).
    seconds = sum(real_build.timings[m] for m in
                  ("int_product_rca_by_year", "int_product_proximity_by_year", "product_proximity"))
    print(f"\nproduct space models: {seconds:.2f}s")
    assert seconds < 10


def test_real_rca_has_no_borderline_presence():
    """The numpy and SQL presence could only disagree on an RCA within rounding of the threshold."""
    trade = read_real_trade()
    matrix = trade.pivot_table(index="country", columns="product", values="value", aggfunc="sum", fill_value=0.0)
    x = matrix.to_numpy(dtype=float)
    rca = (x / x.sum(axis=1, keepdims=True)) / (x.sum(axis=0, keepdims=True) / x.sum())
    assert np.min(np.abs(rca - 1.0)) > 1e-9


# ------------------------------------------------------------------------------------------- properties


def synthetic_trade() -> pd.DataFrame:
    """Three years. 1999 is 1998 with every value x 1000 (scaling invariance); 2000 is another draw in which
    product 0014 is traded by nobody; product 0015 is never traded; country zzz never exports."""
    rng = np.random.default_rng(7)
    countries = [f"c{i:02d}" for i in range(12)] + ["zzz"]
    products = [f"{p:04d}" for p in range(1, 16)]

    def draw() -> np.ndarray:
        values = rng.lognormal(mean=2.0, sigma=1.5, size=(len(countries), len(products)))
        values[rng.random(values.shape) < 0.3] = 0.0
        values[-1, :] = 0.0            # zzz exports nothing
        values[:, -1] = 0.0            # 0015 is exported by nobody
        return values

    first, third = draw(), draw()
    third[:, -2] = 0.0                 # 0014 nobody in 2000
    rows = []
    for year, values in ((1998, first), (1999, first * 1000.0), (2000, third)):
        for i, country in enumerate(countries):
            for j, product in enumerate(products):
                rows.append((year, country, product, values[i, j]))
    return pd.DataFrame(rows, columns=["year", "country", "product", "value"])


@pytest.fixture(scope="module")
def synthetic_build(tmp_path_factory):
    from cluster_finance.warehouse import build_warehouse

    root = tmp_path_factory.mktemp("synthetic_product_space")
    (root / "raw").mkdir()
    (root / "reference").mkdir()
    synthetic_trade().to_csv(root / "reference" / "world_trade.csv", index=False)
    pd.DataFrame({"isic_code": ["1000"], "sitc_code": ["0001"]}).to_csv(root / "reference" / "isic_sitc.csv",
                                                                       index=False)
    result = build_warehouse(root / "raw", root / "reference", root / "warehouse.duckdb",
                             target_path=root / "target", select=["+product_proximity"])
    return result.warehouse


def test_multi_year_product_space_matches_numpy(synthetic_build):
    mart = query(synthetic_build, "select * from product_proximity")
    expected = numpy_product_space_years(synthetic_trade())
    merged = expected.merge(mart, on=["product_a", "product_b"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert np.abs(merged["proximity_x"] - merged["proximity_y"]).max() < 1e-12
    # the average really is over several years with different values
    by_year = query(synthetic_build, "select * from int_product_proximity_by_year")
    assert by_year["year"].nunique() == 3
    assert set(by_year.loc[by_year["year"] == 2000, "product_a"]) == set(mart["product_a"]) - {"0014"}


def test_proximity_symmetric_in_range_diagonal_one(synthetic_build):
    mart = query(synthetic_build, "select * from product_proximity")
    matrix = as_matrix(mart, "product_a", "product_b", "proximity").to_numpy()
    assert not np.isnan(matrix).any()           # every ordered pair is present
    assert np.array_equal(matrix, matrix.T)     # exactly symmetric
    assert np.all((matrix >= 0) & (matrix <= 1))
    assert np.all(np.diag(matrix) == 1.0)
    assert 0 < matrix[~np.eye(len(matrix), dtype=bool)].mean() < 1


def test_proximity_invariant_to_scaling_trade(synthetic_build):
    by_year = query(synthetic_build, "select year, product_a, product_b, proximity from int_product_proximity_by_year")
    base = by_year[by_year["year"] == 1998].drop(columns="year").set_index(["product_a", "product_b"])
    scaled = by_year[by_year["year"] == 1999].drop(columns="year").set_index(["product_a", "product_b"])
    assert len(base) > 100
    pd.testing.assert_frame_equal(base.sort_index(), scaled.sort_index(), check_exact=True)


def test_zero_export_country_and_unexported_product(synthetic_build):
    rca = query(synthetic_build, "select * from int_product_rca_by_year")
    zero_country = rca[rca["country"] == "zzz"]
    assert len(zero_country) == 45
    assert zero_country["rca"].isna().all() and not zero_country["is_present"].any()
    assert rca["rca"].dropna().map(np.isfinite).all()        # no NaN, no infinity anywhere
    assert rca.loc[rca["product"] == "0015", "rca"].isna().all()
    products = set(query(synthetic_build, "select product_a from product_proximity")["product_a"])
    assert "0015" not in products and "0014" in products


def test_hand_worked_tiny_product_space(tiny_warehouse):
    """The tiny reference trade table (tests/tiny_inputs.py) worked by hand: aaa is present in 0001 and 0002,
    bbb in 0002 and 0003, ccc in 0004; so phi(0001,0002) = phi(0002,0003) = 1/2, other pairs 0."""
    mart = query(tiny_warehouse, "select * from product_proximity")
    matrix = as_matrix(mart, "product_a", "product_b", "proximity").to_numpy()
    expected = np.array([[1, .5, 0, 0], [.5, 1, .5, 0], [0, .5, 1, 0], [0, 0, 0, 1]])
    np.testing.assert_array_equal(matrix, expected)
    from tiny_inputs import reference_frames

    independent = numpy_product_space(reference_frames()["world_trade"])
    np.testing.assert_array_equal(as_matrix(independent, "product_a", "product_b", "proximity").to_numpy(), expected)


def test_seed_is_the_2002_link(real_build):
    links = query(real_build.warehouse, "select distinct vintage, link_source from int_industry_isic")
    assert links.to_dict("records") == [{"vintage": "2002", "link_source": "seed cic2002_isic3"}]
    assert (REPO_ROOT / "seeds" / "cic2002_isic3.csv").exists()


# ------------------------------------------------------------------------- real industry proximity


def numpy_industry_weights(industry_isic: pd.DataFrame, isic_sitc: pd.DataFrame, products) -> pd.DataFrame:
    """Dense W (industries x products): 1/n on each of the n distinct product-space products reached."""
    links = industry_isic.merge(isic_sitc, on="isic_code")[["industry_code", "sitc_code"]].drop_duplicates()
    links = links[links["sitc_code"].isin(set(products))]
    weights = pd.crosstab(links["industry_code"], links["sitc_code"]).reindex(columns=products, fill_value=0)
    weights = weights.astype(float).clip(upper=1.0)
    return weights.div(weights.sum(axis=1), axis=0)


def test_real_industry_proximity_matches_numpy(real_build):
    space = query(real_build.warehouse, "select * from product_proximity")
    phi = as_matrix(space, "product_a", "product_b", "proximity")
    seed = pd.read_csv(REPO_ROOT / "seeds" / "cic2002_isic3.csv", dtype=str)
    weights = numpy_industry_weights(seed, read_real_isic_sitc(), list(phi.columns))
    w = weights.to_numpy()
    expected = w @ phi.to_numpy() @ w.T

    mart = query(real_build.warehouse,
                 "select industry_a, industry_b, proximity from industry_proximity "
                 "where classification = '2002' and industry_digits = 4")
    got = as_matrix(mart, "industry_a", "industry_b", "proximity")
    industries = list(weights.index)
    assert list(got.index) == industries and list(got.columns) == industries
    got = got.to_numpy()
    off_diagonal = ~np.eye(len(industries), dtype=bool)
    assert np.isnan(got[~off_diagonal]).all()               # no diagonal rows
    assert np.abs(got[off_diagonal] - expected[off_diagonal]).max() < 1e-12
    print(f"\nreal 4-digit industries with products: {len(industries)}; "
          f"mean industry proximity {got[off_diagonal].mean():.4f}")

    # the seed's codes that reach no product are listed, not silently dropped
    without = query(real_build.warehouse,
                    "select industry_code from int_industries_without_product "
                    "where classification = '2002' and industry_digits = 4")
    assert set(without["industry_code"]) == set(seed["industry_code"]) - set(industries)
    assert {"4610", "4620", "1712"} <= set(without["industry_code"])   # water, sewage, textile finishing

    # the coarser levels: 2-digit weights are over the union of children's products
    two_digit = query(real_build.warehouse,
                      "select industry_code, count(*) as n, sum(weight) as total from int_industry_products "
                      "where classification = '2002' and industry_digits = 2 group by industry_code")
    union = (weights.gt(0).groupby(weights.index.str[:2]).any().sum(axis=1))
    assert dict(zip(two_digit["industry_code"], two_digit["n"])) == union[union > 0].to_dict()
    assert np.allclose(two_digit["total"], 1.0, atol=1e-12)
