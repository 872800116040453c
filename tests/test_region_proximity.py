"""Region proximity (SPEC section 3) against an independent dense numpy computation, on a small census.

The census is written here: 3 provinces, 5 prefectures, 10 counties in 1995 of which two merge and one
splits by 2004, 9 CIC industries per vintage with a split (1994:1312 -> 2002:1313 + 1314), a merge
(1994:1411 + 1412 -> 2002:1410) and a utility with no traded product. The test recomputes, from the
firm rows with pandas and numpy alone, the harmonised units, the cells and the index
P(r) = sum_i s_i P(r,i) / sum_i s_i, P(r,i) = sum_{j != i} s_j phi_ij / sum_{j != i} s_j, as a dense matrix
product, and holds every row of cells, region_proximity and county_proximity against it. Industry
proximity phi is an input here (its own tests are elsewhere): it is read from the industry_proximity mart.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harmonise_reference import industry_labels
from tiny_inputs import FIRM_COLUMNS

LEVEL_DIGITS = {"county": 6, "prefecture": 4, "province": 2}
WEIGHTS = ["output", "employment", "total_assets"]

COUNTIES = {
    1995: ["110101", "110102", "110103", "110104", "110201", "110202", "120101", "120102", "120201", "130101"],
    2004: ["110101", "110105", "110106", "110107", "110201", "110202", "120101", "120102", "120201", "130101"],
}
# 110102 + 110103 merge into 110105; 110104 splits into 110106 + 110107.
CROSSWALK = [("110102", 1995, "110105", 2004), ("110103", 1995, "110105", 2004),
             ("110104", 1995, "110106", 2004), ("110104", 1995, "110107", 2004)]
HARMONISED_COUNTY = {"110102": "110105", "110103": "110105", "110105": "110105",
                     "110104": "110106", "110106": "110106", "110107": "110106"}

INDUSTRIES = {
    "1994": ["1311", "1312", "1321", "1322", "1411", "1412", "2211", "2212", "4410"],
    "2002": ["1311", "1313", "1314", "1321", "1322", "1410", "2211", "2212", "4411"],
}
CONCORDANCE = [("1311", "1311"), ("1312", "1313"), ("1312", "1314"), ("1321", "1321"), ("1322", "1322"),
               ("1411", "1410"), ("1412", "1410"), ("2211", "2211"), ("2212", "2212"), ("4410", "4411")]
# SPEC section 3: a component is labelled by its smallest 2002 code (worked by hand here; the roll-ups to
# 3 and 2 digits come from the independent union-find of harmonise_reference).
HARMONISED_INDUSTRY = {("1994", "1312"): "1313", ("2002", "1313"): "1313", ("2002", "1314"): "1313",
                       ("1994", "1411"): "1410", ("1994", "1412"): "1410", ("2002", "1410"): "1410",
                       ("1994", "4410"): "4411", ("2002", "4411"): "4411"}
INDUSTRY_ISIC = {
    "1994": {"1311": ["1000"], "1312": ["2000"], "1321": ["3000"], "1322": ["3000", "4000"], "1411": ["4000"],
             "1412": ["5000"], "2211": ["6000"], "2212": ["1000"], "4410": ["9000"]},
    "2002": {"1311": ["1000"], "1313": ["2000"], "1314": ["2000", "3000"], "1321": ["3000"], "1322": ["4000"],
             "1410": ["5000"], "2211": ["6000"], "2212": ["1000"], "4411": ["9000"]},
}
ISIC_SITC = {"1000": ["0001", "0002"], "2000": ["0003"], "3000": ["0004", "0005"], "4000": ["0006"],
             "5000": ["0007", "0008"], "6000": ["0009", "0010"]}  # 9000 (the utility): no product


def harmonised_county(code: str) -> str:
    return HARMONISED_COUNTY.get(code, code)


def harmonised_industry(vintage: str, code: str, digits: int = 4) -> str:
    if digits == 4:
        return HARMONISED_INDUSTRY.get((vintage, code), code)
    known = [(v, c) for v, codes in INDUSTRIES.items() for c in codes]
    return industry_labels(CONCORDANCE, known, digits)[(vintage, code[:digits])]


def small_census(seed: int = 7) -> dict[int, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    frames = {}
    for year, vintage in ((1995, "1994"), (2004, "2002")):
        rows = []
        for county in COUNTIES[year]:
            if county == "130101":
                # a county whose only firms are one mapped industry and the utility: flagged
                choices = [INDUSTRIES[vintage][0], INDUSTRIES[vintage][-1]]
            else:
                choices = list(rng.choice(INDUSTRIES[vintage], size=rng.integers(2, 8), replace=False))
            for k in range(int(rng.integers(4, 14))):
                industry = choices[k % len(choices)]
                output = float(np.round(rng.lognormal(6, 1.2), 1))
                # some firms with zero assets or employment: an industry with s = 0 drops out of that weight
                assets = 0.0 if rng.random() < 0.1 else float(np.round(rng.lognormal(6, 1.0), 1))
                employment = 0 if rng.random() < 0.08 else int(rng.integers(1, 400))
                row = dict.fromkeys(FIRM_COLUMNS)
                row.update(firm_id=f"{year}-{county}-{k}", firm_name=None, county_code=county,
                           industry_code=industry, founding_year=1980, output=output, sales=output,
                           employment=employment, total_assets=assets)
                rows.append(row)
        frames[year] = pd.DataFrame(rows, columns=FIRM_COLUMNS)
    return frames


def small_reference(reference_dir: Path, seed: int = 11) -> None:
    rng = np.random.default_rng(seed)
    reference_dir.mkdir(parents=True, exist_ok=True)
    products = sorted({p for ps in ISIC_SITC.values() for p in ps})
    trade = pd.DataFrame([(c, p, float(np.round(rng.lognormal(3, 1.5), 2)))
                          for c in ("aaa", "bbb", "ccc", "ddd", "eee", "fff") for p in products],
                         columns=["country", "product", "value"])
    trade.to_csv(reference_dir / "world_trade.csv", index=False)
    pd.DataFrame([(i, s) for i, ss in ISIC_SITC.items() for s in ss], columns=["isic_code", "sitc_code"]) \
        .to_csv(reference_dir / "isic_sitc.csv", index=False)
    pd.DataFrame([(v, c, i) for v, m in INDUSTRY_ISIC.items() for c, isics in m.items() for i in isics],
                 columns=["vintage", "industry_code", "isic_code"]).to_csv(reference_dir / "industry_isic.csv",
                                                                            index=False)
    pd.DataFrame(CONCORDANCE, columns=["code_1994", "code_2002"]) \
        .to_csv(reference_dir / "industry_concordance.csv", index=False)
    pd.DataFrame(CROSSWALK, columns=["code_from", "year_from", "code_to", "year_to"]) \
        .to_csv(reference_dir / "county_crosswalk.csv", index=False)
    pd.DataFrame([(c, y) for y, cs in COUNTIES.items() for c in cs], columns=["county_code", "year"]) \
        .to_csv(reference_dir / "regions.csv", index=False)


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory):
    from cluster_finance.warehouse import build_warehouse

    root = tmp_path_factory.mktemp("regions_small")
    census = small_census()
    (root / "raw").mkdir()
    for year, frame in census.items():
        frame.to_csv(root / "raw" / f"firms_{year}.csv", index=False)
    small_reference(root / "reference")
    result = build_warehouse(root / "raw", root / "reference", root / "warehouse.duckdb",
                             target_path=root / "target")
    return result.warehouse, census


def read(warehouse: Path, sql: str) -> pd.DataFrame:
    from cluster_finance.warehouse import connect

    with connect(warehouse) as con:
        return con.execute(sql).df()


def expected_cells(census: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """Cells recomputed with pandas from the firm rows and the hand-made harmonisation above."""
    firms = pd.concat([frame.assign(year=year, vintage="1994" if year == 1995 else "2002")
                       for year, frame in census.items()])
    firms["county"] = firms["county_code"].map(harmonised_county)
    out = []
    for (level, level_digits), digits in itertools.product(LEVEL_DIGITS.items(), (4, 3, 2)):
        industry = [harmonised_industry(v, c, digits) for v, c in zip(firms["vintage"], firms["industry_code"])]
        grouped = firms.assign(region_code=firms["county"].str[:level_digits], industry_code=industry) \
            .groupby(["year", "region_code", "industry_code"], as_index=False) \
            .agg(output=("output", "sum"), employment=("employment", "sum"),
                 total_assets=("total_assets", "sum"), n_firms=("firm_id", "size"))
        out.append(grouped.assign(region_level=level, industry_digits=digits))
    return pd.concat(out, ignore_index=True)


def _dense_terms(cells: pd.DataFrame, phi: pd.DataFrame):
    """For each (year, level, digits, weight): one (regions x industries) size matrix S over the mapped
    industries and the industry proximity matrix Phi with a zero diagonal; the numerator of P(r,i) is
    (S Phi)_ri and its denominator the region's mapped size minus s(r,i). Yields the dense P(r,i)."""
    for (year, level, digits), group in cells.groupby(["year", "region_level", "industry_digits"]):
        prox = phi[phi["industry_digits"] == digits]
        mapped = sorted(set(prox["industry_a"]))
        position = {code: k for k, code in enumerate(mapped)}
        matrix = np.zeros((len(mapped), len(mapped)))
        matrix[prox["industry_a"].map(position), prox["industry_b"].map(position)] = prox["proximity"]
        assert np.allclose(np.diag(matrix), 0)
        regions = sorted(group["region_code"].unique())
        region_position = {code: k for k, code in enumerate(regions)}
        for weight in WEIGHTS:
            total = group.groupby("region_code")[weight].sum().reindex(regions).to_numpy(float)
            on_map = group[group["industry_code"].isin(position)]
            sizes = np.zeros((len(regions), len(mapped)))
            sizes[on_map["region_code"].map(region_position), on_map["industry_code"].map(position)] = on_map[weight]
            numerator = sizes @ matrix
            denominator = sizes.sum(axis=1, keepdims=True) - sizes
            present = sizes > 0
            n_industries = present.sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                p_ri = np.where(present & (n_industries >= 2)[:, None], numerator / denominator, np.nan)
            yield dict(year=year, level=level, digits=digits, weight=weight, regions=regions, mapped=mapped,
                       sizes=sizes, total=total, p_ri=p_ri, n_industries=n_industries)


def numpy_region_index(cells: pd.DataFrame, phi: pd.DataFrame, single: str = "zero") -> pd.DataFrame:
    """The region index P(r) = sum_i s_i P(r,i) / sum_i s_i from the dense P(r,i)."""
    rows = []
    for d in _dense_terms(cells, phi):
        sizes, total, n_industries = d["sizes"], d["total"], d["n_industries"]
        with np.errstate(divide="ignore", invalid="ignore"):
            index = np.nansum(sizes * d["p_ri"], axis=1) / sizes.sum(axis=1)
            excluded = (total - sizes.sum(axis=1)) / total
        flagged = n_industries < 2
        # var single_industry_proximity: one mapped industry -> 0 ('zero', the default) or NULL;
        # no mapped industry -> NULL either way
        index = np.where(flagged, np.nan, index)
        if single == "zero":
            index = np.where(n_industries == 1, 0.0, index)
        rows.append(pd.DataFrame({
            "year": d["year"], "region_level": d["level"], "region_code": d["regions"],
            "industry_digits": d["digits"], "weight": d["weight"], "proximity": index,
            "n_industries": n_industries, "excluded_share": np.where(total > 0, excluded, np.nan),
            "is_flagged": flagged}))
    return pd.concat(rows, ignore_index=True)


def numpy_industry_terms(cells: pd.DataFrame, phi: pd.DataFrame) -> pd.DataFrame:
    """P(r,i) and s(r,i) / sum_mapped s(r,.) for every mapped (region, industry) pair of the dense matrices."""
    rows = []
    for d in _dense_terms(cells, phi):
        sizes = d["sizes"]
        mapped_total = sizes.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(mapped_total > 0, sizes / mapped_total, np.nan)
        r, i = np.indices(sizes.shape)
        rows.append(pd.DataFrame({
            "year": d["year"], "region_level": d["level"], "region_code": np.asarray(d["regions"])[r.ravel()],
            "industry_digits": d["digits"], "weight": d["weight"],
            "industry_code": np.asarray(d["mapped"])[i.ravel()], "size": sizes.ravel(),
            "proximity": d["p_ri"].ravel(), "size_share": share.ravel()}))
    return pd.concat(rows, ignore_index=True)


KEY = ["year", "region_level", "region_code", "industry_digits", "weight"]
CELL_KEY = ["year", "region_level", "region_code", "industry_digits", "industry_code"]


def test_firms_harmonised_units(small_warehouse):
    warehouse, census = small_warehouse
    firms = read(warehouse, "select census_year, firm_id, county_code, industry_vintage, industry_code, "
                            "harmonised_county_code, harmonised_industry_code, prefecture_code, province_code "
                            "from int_firms_harmonised")
    assert len(firms) == sum(len(f) for f in census.values())
    assert (firms["harmonised_county_code"] == firms["county_code"].map(harmonised_county)).all()
    expected_industry = [harmonised_industry(v, c) for v, c in zip(firms["industry_vintage"], firms["industry_code"])]
    assert (firms["harmonised_industry_code"] == expected_industry).all()
    assert (firms["prefecture_code"] == firms["harmonised_county_code"].str[:4]).all()
    assert (firms["province_code"] == firms["harmonised_county_code"].str[:2]).all()


def test_cells_match_pandas(small_warehouse):
    warehouse, census = small_warehouse
    got = read(warehouse, "select * from cells").sort_values(CELL_KEY).reset_index(drop=True)
    want = expected_cells(census).sort_values(CELL_KEY).reset_index(drop=True)
    assert len(got) == len(want)
    assert (got[CELL_KEY].astype(str).to_numpy() == want[CELL_KEY].astype(str).to_numpy()).all()
    for column in ("output", "employment", "total_assets", "n_firms"):
        np.testing.assert_allclose(got[column].to_numpy(float), want[column].to_numpy(float), rtol=1e-12)


def test_region_index_matches_dense_numpy(small_warehouse):
    warehouse, census = small_warehouse
    phi = read(warehouse, "select industry_digits, industry_a, industry_b, proximity from industry_proximity "
                          "where classification = 'harmonised'")
    # the utility has no product, so it is left out of the index (and only reported in excluded_share)
    assert not phi["industry_a"].isin(["4411", "441", "44"]).any()
    want = numpy_region_index(expected_cells(census), phi).sort_values(KEY).reset_index(drop=True)
    got = read(warehouse, "select * from region_proximity").sort_values(KEY).reset_index(drop=True)
    assert len(got) == len(want) == 3 * expected_cells(census).groupby(KEY[:4]).ngroups
    assert (got[KEY].astype(str).to_numpy() == want[KEY].astype(str).to_numpy()).all()
    np.testing.assert_allclose(got["proximity"].to_numpy(float), want["proximity"].to_numpy(float),
                               rtol=1e-10, atol=1e-13, equal_nan=True)
    np.testing.assert_allclose(got["excluded_share"].to_numpy(float), want["excluded_share"].to_numpy(float),
                               rtol=1e-10, atol=1e-13, equal_nan=True)
    assert (got["n_industries"].to_numpy() == want["n_industries"].to_numpy()).all()
    assert (got["is_flagged"].to_numpy() == want["is_flagged"].to_numpy()).all()
    # the case mix the test is meant to exercise is really there
    assert got["is_flagged"].any() and (~got["is_flagged"]).any()
    assert (got["excluded_share"] > 0).any()
    assert (got.loc[~got["is_flagged"], "proximity"].between(0, 1)).all()
    assert got.groupby("weight")["proximity"].sum().nunique() == 3
    # the default: one mapped industry gives 0 (the paper's Table 5 minimum), none gives NULL
    assert (got.loc[got["n_industries"] == 1, "proximity"] == 0).all()
    assert got.loc[got["n_industries"] == 0, "proximity"].isna().all()
    assert (got["n_industries"] == 1).any()


def test_county_proximity_is_the_county_slice(small_warehouse):
    warehouse, census = small_warehouse
    phi = read(warehouse, "select industry_digits, industry_a, industry_b, proximity from industry_proximity "
                          "where classification = 'harmonised'")
    want = numpy_region_index(expected_cells(census), phi)
    want = want[(want["region_level"] == "county") & (want["industry_digits"] == 4)]
    wide = want.pivot(index=["region_code", "year"], columns="weight", values="proximity")
    got = read(warehouse, "select * from county_proximity").set_index(["county_code", "year"]).sort_index()
    wide = wide.sort_index()
    assert list(got.index) == list(wide.index)
    # the merged and the split counties appear once per year under their harmonised code
    assert {"110105", "110106"} <= set(got.index.get_level_values(0))
    assert not {"110102", "110103", "110104", "110107"} & set(got.index.get_level_values(0))
    for column, weight in (("proximity_output", "output"), ("proximity_employment", "employment"),
                           ("proximity_asset", "total_assets")):
        np.testing.assert_allclose(got[column].to_numpy(float), wide[weight].to_numpy(float),
                                   rtol=1e-10, atol=1e-13, equal_nan=True)
    output = want[want["weight"] == "output"].set_index(["region_code", "year"]).sort_index()
    assert (got["n_industries_output"].to_numpy() == output["n_industries"].to_numpy()).all()
    np.testing.assert_allclose(got["excluded_share_output"].to_numpy(float),
                               output["excluded_share"].to_numpy(float), rtol=1e-10, atol=1e-13,
                               equal_nan=True)


def test_hand_worked_region(small_warehouse):
    """One region worked through by hand from the firm rows, the formula's loops written out."""
    warehouse, census = small_warehouse
    firms = census[2004]
    firms = firms[firms["county_code"].map(harmonised_county) == "110105"]
    sizes = firms.assign(industry=[harmonised_industry("2002", c) for c in firms["industry_code"]]) \
        .groupby("industry")["output"].sum()
    phi = read(warehouse, "select industry_a, industry_b, proximity from industry_proximity "
                          "where classification = 'harmonised' and industry_digits = 4")
    lookup = {(a, b): p for a, b, p in phi.itertuples(index=False)}
    mapped = {code for code, _ in lookup}
    s = {i: v for i, v in sizes.items() if i in mapped and v > 0}
    assert len(s) >= 2
    p_ri = {i: sum(s[j] * lookup[(i, j)] for j in s if j != i) / sum(s[j] for j in s if j != i) for i in s}
    expected = sum(s[i] * p_ri[i] for i in s) / sum(s.values())
    got = read(warehouse, "select proximity_output from county_proximity "
                          "where county_code = '110105' and year = 2004")["proximity_output"].item()
    assert got == pytest.approx(expected, rel=1e-12)



TERM_KEY = [*KEY, "industry_code"]


def test_industry_terms_match_dense_numpy(small_warehouse):
    """region_industry_proximity: P(r,i) and the size shares against the dense matrices, every cell present,
    and the contributions adding up to region_proximity."""
    warehouse, census = small_warehouse
    phi = read(warehouse, "select industry_digits, industry_a, industry_b, proximity from industry_proximity "
                          "where classification = 'harmonised'")
    cells = expected_cells(census)
    got = read(warehouse, "select * from region_industry_proximity")
    # one row per cell and weight, mapped or not
    assert len(got) == 3 * len(cells)
    assert not got.duplicated(TERM_KEY).any()
    unmapped = got[~got["is_mapped"]]
    assert len(unmapped) and unmapped["proximity"].isna().all() and unmapped["size_share"].isna().all()
    # mapped cells against the dense computation (which also holds the pairs a region lacks, with s = 0)
    want = numpy_industry_terms(cells, phi)
    merged = got[got["is_mapped"]].merge(want, on=TERM_KEY, how="left", suffixes=("", "_numpy"),
                                         validate="one_to_one")
    assert merged["size_numpy"].notna().all()
    np.testing.assert_allclose(merged["size"], merged["size_numpy"], rtol=1e-12)
    np.testing.assert_allclose(merged["proximity"].to_numpy(float), merged["proximity_numpy"].to_numpy(float),
                               rtol=1e-10, atol=1e-13, equal_nan=True)
    np.testing.assert_allclose(merged["size_share"].to_numpy(float), merged["size_share_numpy"].to_numpy(float),
                               rtol=1e-10, atol=1e-13, equal_nan=True)
    absent = want.merge(got[TERM_KEY], on=TERM_KEY, how="left", indicator=True)
    assert (absent.loc[absent["_merge"] == "left_only", "size"] == 0).all()
    # the case mix: defined terms, and undefined ones (s = 0 or a flagged region)
    assert merged["proximity"].notna().any() and merged["proximity"].isna().any()
    # the contributions add up to P(r)
    totals = got.groupby(KEY, as_index=False).agg(total=("contribution", lambda c: c.sum(min_count=1)))
    region = read(warehouse, "select * from region_proximity").merge(totals, on=KEY, validate="one_to_one")
    several = region["n_industries"] >= 2
    np.testing.assert_allclose(region.loc[several, "proximity"].to_numpy(float),
                               region.loc[several, "total"].to_numpy(float), rtol=1e-12, atol=1e-15)
    # one mapped industry: no term is defined, and the region gets the paper's 0 (the default setting)
    assert region.loc[~several, "total"].isna().all()
    assert (region.loc[region["n_industries"] == 1, "proximity"] == 0).all()
