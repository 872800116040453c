"""region_concentration and industry_concentration against independent dense numpy computations.

The marts compute sparse closed forms in SQL (absent industries and regions added in closed form); here
every index is recomputed from the firm rows (int_firms_harmonised), on the full dense region x industry
matrix, with the published algorithms written out as their packages write them:
- REAT gini() (coefnorm = FALSE): Doersam's trapezoid formula G = 1 - (1/n) sum_j (Y_{j-1} + Y_j);
- EconGeo locational.Gini(): regions ordered by LQ, (sum C_k P_{k-1} - sum C_{k-1} P_k) / 2;
- Ellison-Glaeser (1997) gamma with the firm-level Herfindahl.
With the default vars the indices run over the manufacturing industries only (concentration_industries:
CIC divisions 13-43, so the utilities of the test censuses are left out) and Ellison-Glaeser over
employment (ellison_glaeser_size); the dense computations here do the same.
The hand-worked cases (exact fractions) are the dbt unit tests in models/marts/_marts_outcomes.yml; the
same numbers are re-derived here with fractions.Fraction so that the yml cannot drift from the algebra.

This module also provides the richer synthetic census (`rich_census`, `rich_warehouse`) that
test_county_outcomes.py and test_firm_panel.py reuse: one build per test process.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harmonise_reference import industry_labels
from tiny_inputs import FIRM_COLUMNS, reference_frames, write_tiny_inputs

LEVEL_COLUMNS = {"county": "harmonised_county_code", "prefecture": "prefecture_code",
                 "province": "province_code"}

# Counties of the rich census by year: 110102 + 110103 merge into 110105 (as in tiny_inputs), 130102 splits
# into 130103 + 130104; the rest are unchanged.
COUNTIES = {
    1995: ["110101", "110102", "110103", "120101", "120102", "130101", "130102", "130201", "130202"],
    2004: ["110101", "110105", "120101", "120102", "130101", "130103", "130104", "130201", "130202"],
}
SUCCESSOR = {"110102": ["110105"], "110103": ["110105"], "130102": ["130103", "130104"]}
INDUSTRIES = {1995: ["1311", "1312", "4410"], 2004: ["1311", "1320", "1330", "4411"]}
INDUSTRY_SUCCESSOR = {"1311": ["1311"], "1312": ["1320", "1330"], "4410": ["4411"]}
# Name variants that normalise to the same key (legal forms, case, spaces, punctuation).
NAME_FORMS = [("{}厂", "{}有限公司"), ("{} Co., Ltd.", "{}"), ("{}股份有限公司", "{} 公司"),
              ("{}", "{} Ltd"), ("({})", "{}有限责任公司")]


def _firm_values(rng: np.random.Generator, year: int, county: str, industry: str) -> dict:
    """One firm's numbers, with the edge cases the panel rules care about sprinkled in."""
    output = float(np.round(rng.lognormal(8.0, 1.5), 1)) if rng.random() > 0.04 else 0.0
    assets = float(np.round(rng.lognormal(8.5, 1.4), 1)) if rng.random() > 0.04 else 0.0
    sales = float(np.round(output * rng.uniform(0.5, 1.1), 1)) if rng.random() > 0.05 else 0.0
    debt = float(np.round(assets * rng.choice([rng.uniform(0, 3.5), 3.0]), 1)) if rng.random() > 0.05 else 0.0
    shares = rng.dirichlet(np.ones(5)) * 0.99
    export = rng.random()
    values = dict(
        county_code=county, industry_code=industry,
        founding_year=int(rng.integers(1950, year + 1)) if rng.random() > 0.05 else None,
        output=output, sales=sales,
        export_value=None if export < 0.1 else (0.0 if export < 0.6 else
                                                float(np.round(sales * rng.uniform(0, 1.3), 1))),
        value_added=float(np.round(output * rng.uniform(-0.05, 0.5), 1)),
        value_added_income=float(np.round(output * rng.uniform(-0.05, 0.5), 1)),
        employment=int(rng.integers(0, 2000)), total_assets=assets,
        fixed_assets=float(np.round(assets * rng.uniform(0, 1.2), 1)) if rng.random() > 0.02 else assets,
        total_debt=debt,
        accounts_receivable=float(np.round(sales * rng.uniform(0, 2.5), 1)),
        accounts_payable=float(np.round(debt * rng.uniform(0, 1.5), 1)),
        state_share=float(np.round(shares[0], 4)), collective_share=float(np.round(shares[1], 4)),
        private_share=float(np.round(shares[2], 4)), hmt_share=float(np.round(shares[3], 4)),
        foreign_share=float(np.round(shares[4], 4)),
    )
    return values


def rich_census(seed: int = 20260101, n_firms_1995: int = 400) -> dict[int, pd.DataFrame]:
    """Two census years over nine counties (a merge and a split), industries with a concordance split,
    firms that survive with their id, survive under a new id with the same name up to legal form, and
    name collisions that must not match."""
    rng = np.random.default_rng(seed)
    # An industry mix that differs by county, so the concentration indices are far from trivial.
    weights = {c: rng.dirichlet(np.ones(3) * 0.7) for c in COUNTIES[1995]}
    rows_1995, rows_2004 = [], []
    for k in range(n_firms_1995):
        county = str(rng.choice(COUNTIES[1995]))
        industry = str(rng.choice(INDUSTRIES[1995], p=weights[county]))
        form_from, form_to = NAME_FORMS[k % len(NAME_FORMS)]
        stem = f"企业{k:04d}" if k % 2 else f"Firm{k:04d}"
        firm_id = f"F{k:05d}"
        rows_1995.append(dict(firm_id=firm_id, firm_name=form_from.format(stem),
                              **_firm_values(rng, 1995, county, industry)))
        fate = rng.random()
        if fate < 0.25:
            continue  # exits
        county_to = str(rng.choice(SUCCESSOR.get(county, [county])))
        industry_to = str(rng.choice(INDUSTRY_SUCCESSOR[industry]))
        if fate < 0.75:  # survives with its legal-person code (sometimes moving county)
            if rng.random() < 0.1:
                county_to = str(rng.choice(COUNTIES[2004]))
            rows_2004.append(dict(firm_id=firm_id, firm_name=stem, **_firm_values(rng, 2004, county_to, industry_to)))
        elif fate < 0.92:  # new code, same name up to legal form, same harmonised county and industry
            rows_2004.append(dict(firm_id=f"G{k:05d}", firm_name=form_to.format(stem),
                                  **_firm_values(rng, 2004, county_to, industry_to)))
            if fate > 0.89:  # ... but a namesake appears beside it: ambiguous, no match
                rows_2004.append(dict(firm_id=f"H{k:05d}", firm_name=stem.upper() + " CO.",
                                      **_firm_values(rng, 2004, county_to, industry_to)))
        else:  # same name but another county: not the same firm
            other = str(rng.choice([c for c in COUNTIES[2004] if c not in SUCCESSOR.get(county, [county])]))
            rows_2004.append(dict(firm_id=f"G{k:05d}", firm_name=stem, **_firm_values(rng, 2004, other, industry_to)))
    for k in range(int(n_firms_1995 * 0.6)):  # entrants
        county = str(rng.choice(COUNTIES[2004]))
        industry = str(rng.choice(INDUSTRIES[2004]))
        rows_2004.append(dict(firm_id=f"E{k:05d}", firm_name=None if k % 7 == 0 else f"新企业{k}",
                              **_firm_values(rng, 2004, county, industry)))
    return {1995: pd.DataFrame(rows_1995, columns=FIRM_COLUMNS),
            2004: pd.DataFrame(rows_2004, columns=FIRM_COLUMNS)}


def rich_reference(reference_dir: Path) -> None:
    """tiny_inputs' reference tables, with the rich census's counties and crosswalk."""
    frames = reference_frames()
    frames["regions"] = pd.DataFrame([(c, y) for y, cs in COUNTIES.items() for c in cs],
                                     columns=["county_code", "year"])
    frames["county_crosswalk"] = pd.DataFrame(
        [(a, 1995, b, 2004) for a, bs in SUCCESSOR.items() for b in bs],
        columns=["code_from", "year_from", "code_to", "year_to"])
    for name, frame in frames.items():
        frame.to_csv(reference_dir / f"{name}.csv", index=False)


@functools.cache
def rich_warehouse() -> Path:
    """The rich census built into a temporary warehouse, once per test process."""
    from cluster_finance.warehouse import run_dbt

    root = Path(tempfile.mkdtemp(prefix="rich_census_"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    write_tiny_inputs(root / "raw", root / "reference", census=rich_census())
    rich_reference(root / "reference")
    # `dbt build` without tests of the marts under test and their parents only: the data tests and unit tests run in every
    # project build (tiny_warehouse), so repeating them here would only cost time.
    warehouse = root / "warehouse.duckdb"
    selected = ["+region_concentration", "+industry_concentration", "+region_outcomes", "+county_outcomes",
                "+firm_panel", "+panel_match_rates"]
    result = run_dbt(["build", "--select", *selected, "--exclude-resource-type", "test", "unit_test"], warehouse,
                     {"raw_dir": str(root / "raw"), "reference_dir": str(root / "reference")}, root / "target")
    assert result.success, result.exception
    return warehouse


def read_tables(warehouse: Path, *names: str) -> list[pd.DataFrame]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [con.sql(f"select * from {name}").df() for name in names]


# ----------------------------------------------------------------------------------------------------
# Independent implementations (dense, as the R packages do it)

def reat_gini(x: np.ndarray) -> float:
    """REAT::gini(x, coefnorm = FALSE), unweighted branch (Doersam 2004, p. 44), written as REAT writes it."""
    x_sort = np.sort(np.asarray(x, dtype=float))
    n = len(x_sort)
    y = np.cumsum(x_sort / x_sort.sum())
    sum_y = np.empty(n)
    sum_y[0] = y[0]
    sum_y[1:] = y[:-1] + y[1:]
    return float(1 - sum_y.sum() / n)


def econgeo_locational_gini(industry: np.ndarray, region_total: np.ndarray) -> float:
    """EconGeo::locational.Gini() for one industry column (regions with no output at all dropped: their
    LQ is 0/0 and they add nothing to either cumulative share)."""
    keep = region_total > 0
    ind, pop = industry[keep], region_total[keep] / region_total[keep].sum()
    order = np.argsort(ind / pop, kind="stable")
    ind, pop = ind[order], pop[order]
    cind = np.cumsum(ind) / np.cumsum(ind).max()
    cpop = np.cumsum(pop) / np.cumsum(pop).max()
    return float((np.sum(cind[1:] * cpop[:-1]) - np.sum(cind[:-1] * cpop[1:])) / 2)


def ellison_glaeser(industry: np.ndarray, region_total: np.ndarray, firm_sizes: np.ndarray) -> float | None:
    x = region_total / region_total.sum()
    G = np.sum((industry / industry.sum() - x) ** 2)
    H = np.sum((firm_sizes / firm_sizes.sum()) ** 2)
    if H >= 1 or np.sum(x ** 2) >= 1:
        return None
    return float((G - (1 - np.sum(x ** 2)) * H) / ((1 - np.sum(x ** 2)) * (1 - H)))


def dense_matrices(firms: pd.DataFrame, values: str = "output"):
    """(year, level, digits) -> (regions, industries, region x industry matrix of ``values``). A firm's
    industry at each level is the union-find component of its own code cut to that level (the concordance
    of tiny_inputs), never a prefix of the warehouse's 4-digit label; the frame's ``division`` is its
    2-digit component, what the manufacturing scope reads."""
    concordance = list(reference_frames()["industry_concordance"].itertuples(index=False, name=None))
    codes = list(zip(firms["industry_vintage"], firms["industry_code"]))
    divisions = industry_labels(concordance, codes, 2)
    for year, by_year in firms.groupby("census_year"):
        division = [divisions[(v, c[:2])] for v, c in zip(by_year["industry_vintage"], by_year["industry_code"])]
        for level, column in LEVEL_COLUMNS.items():
            for digits in (4, 3, 2):
                labels = industry_labels(concordance, codes, digits)
                industry = [labels[(v, c[:digits])] for v, c in zip(by_year["industry_vintage"],
                                                                     by_year["industry_code"])]
                frame = by_year.assign(region=by_year[column], industry=industry, division=division)
                matrix = frame.pivot_table(index="region", columns="industry", values=values,
                                           aggfunc="sum", fill_value=0.0)
                yield year, level, digits, frame, matrix


def manufacturing(frame: pd.DataFrame, industries) -> np.ndarray:
    """The default scope of the concentration marts: the industries whose 2-digit harmonised industry is a
    CIC division 13-43 (var manufacturing_divisions; a '1994:xx' label is read by its last two digits)."""
    division = frame.groupby("industry")["division"].first().str[-2:]
    in_scope = (division >= "13") & (division <= "43")
    return in_scope.reindex(list(industries)).fillna(False).to_numpy(dtype=bool)


# ----------------------------------------------------------------------------------------------------

def test_hand_worked_region_example_in_the_yml_is_right():
    """The region_concentration unit test's expected numbers, re-derived exactly (fractions) with REAT's
    trapezoid Gini over all the nation's industries."""
    regions = {"A": [8, 4, 4, 0], "B": [0, 8, 0, 8], "C": [8, 4, 12, 8]}
    nation = [sum(col) for col in zip(*regions.values())]
    total = sum(nation)
    expected = {"A": (Fraction(3, 8), Fraction(1, 2), Fraction(3, 8)), "B": (Fraction(1, 2), 1, Fraction(1, 2)),
                "C": (Fraction(9, 32), Fraction(1, 4), Fraction(3, 16))}
    for name, row in regions.items():
        size = sum(row)
        a = [Fraction(v, size) for v in row]
        b = [Fraction(v, total) for v in nation]
        lq = sorted(ai / bi for ai, bi in zip(a, b))
        cum = [sum(lq[: j + 1]) / sum(lq) for j in range(len(lq))]
        gini = 1 - Fraction(1, len(lq)) * (cum[0] + sum(cum[j - 1] + cum[j] for j in range(1, len(lq))))
        assert (sum(v * v for v in a), sum(abs(ai - bi) for ai, bi in zip(a, b)), gini) == expected[name]
        assert reat_gini(np.array([float(v) for v in lq])) == pytest.approx(float(gini), abs=1e-15)


def test_hand_worked_industry_example_in_the_yml_is_right():
    """The industry_concentration unit test's expected numbers (1995), re-derived with EconGeo's algorithm
    and the EG formula in exact fractions."""
    matrix = np.array([[8, 4, 4, 0], [0, 8, 0, 8], [8, 4, 12, 8]], dtype=float)  # regions A, B, C
    firms = {0: [8, 4, 4], 1: [4, 4, 4, 4], 2: [4, 12], 3: [8, 8]}
    expected_gini = [0.1875, 0.15625, 0.15625, 0.1875]
    expected_eg = [Fraction(-7, 25), Fraction(-1, 15), Fraction(-17, 15), Fraction(-3, 5)]
    x = [Fraction(int(v), int(matrix.sum())) for v in matrix.sum(axis=1)]
    for i in range(4):
        assert econgeo_locational_gini(matrix[:, i], matrix.sum(axis=1)) == expected_gini[i]
        col = [Fraction(int(v)) for v in matrix[:, i]]
        G = sum((c / sum(col) - xr) ** 2 for c, xr in zip(col, x))
        H = sum(Fraction(z, sum(firms[i])) ** 2 for z in firms[i])
        dispersion = 1 - sum(xr * xr for xr in x)
        assert (G - dispersion * H) / (dispersion * (1 - H)) == expected_eg[i]


def test_reat_gini_equals_the_pairwise_definition():
    """Sanity of the reference implementation itself: REAT's trapezoid formula is the mean absolute
    difference over twice the mean (n^2 normalisation)."""
    x = np.random.default_rng(1).lognormal(size=37)
    pairwise = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert reat_gini(x) == pytest.approx(pairwise, rel=1e-12)


def test_region_concentration_matches_dense_numpy():
    firms, mart = read_tables(rich_warehouse(), "int_firms_harmonised", "region_concentration")
    mart = mart.set_index(["year", "region_level", "region_code", "industry_digits"]).sort_index()
    expected = []
    for year, level, digits, frame, matrix in dense_matrices(firms):
        values = matrix.to_numpy()[:, manufacturing(frame, matrix.columns)]
        values = values[:, values.sum(axis=0) > 0]  # industries with output somewhere in the nation
        nation = values.sum(axis=0) / values.sum()
        for region, row in zip(matrix.index, values):
            record = dict(year=year, region_level=level, region_code=region, industry_digits=digits,
                          n_industries=int((row > 0).sum()), hhi=np.nan, krugman=np.nan, gini=np.nan)
            if row.sum() > 0:
                share = row / row.sum()
                record.update(hhi=np.sum(share ** 2), krugman=np.abs(share - nation).sum(),
                              gini=reat_gini(share / nation))
            expected.append(record)
    expected = pd.DataFrame(expected).set_index(mart.index.names).sort_index()
    assert len(expected) > 50 and expected["gini"].notna().sum() > 50
    assert (firms["harmonised_industry_code"].str[:2] == "44").any()   # a utility to leave out
    assert list(mart.index) == list(expected.index)
    assert (mart["n_industries"].to_numpy() == expected["n_industries"].to_numpy()).all()
    for column in ("hhi", "krugman", "gini"):
        np.testing.assert_allclose(mart[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float),
                                   rtol=1e-9, atol=1e-12, err_msg=column)


def test_industry_concentration_matches_dense_numpy():
    firms, mart = read_tables(rich_warehouse(), "int_firms_harmonised", "industry_concentration")
    mart = mart.set_index(["year", "industry_digits", "industry_code", "region_level"]).sort_index()
    expected = []
    employment = {(year, level, digits): m
                  for year, level, digits, _, m in dense_matrices(firms.astype({"employment": float}), "employment")}
    for year, level, digits, frame, matrix in dense_matrices(firms):
        in_scope = manufacturing(frame, matrix.columns)
        matrix = matrix.loc[:, in_scope]
        staff = employment[(year, level, digits)].reindex(index=matrix.index, columns=matrix.columns, fill_value=0)
        region_total = matrix.to_numpy().sum(axis=1)
        region_staff = staff.to_numpy(dtype=float).sum(axis=1)
        for industry in matrix.columns:
            column = matrix[industry].to_numpy()
            firms_of = frame.loc[frame["industry"] == industry]
            sizes = firms_of["employment"].to_numpy(dtype=float)   # Ellison-Glaeser over employment
            record = dict(year=year, industry_digits=digits, industry_code=industry, region_level=level,
                          n_firms=len(sizes), n_regions=firms_of["region"].nunique(),
                          locational_gini=np.nan, ellison_glaeser=np.nan, firm_herfindahl=np.nan)
            if column.sum() > 0:
                record.update(locational_gini=econgeo_locational_gini(column, region_total))
            if sizes.sum() > 0:
                eg = ellison_glaeser(staff[industry].to_numpy(dtype=float), region_staff, sizes)
                record.update(firm_herfindahl=np.sum((sizes / sizes.sum()) ** 2),
                              ellison_glaeser=np.nan if eg is None else eg)
            expected.append(record)
    expected = pd.DataFrame(expected).set_index(mart.index.names).sort_index()
    assert list(mart.index) == list(expected.index)
    assert expected["ellison_glaeser"].notna().sum() > 10
    for column in ("n_firms", "n_regions"):
        assert (mart[column].to_numpy() == expected[column].to_numpy()).all(), column
    for column in ("locational_gini", "ellison_glaeser", "firm_herfindahl"):
        np.testing.assert_allclose(mart[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float),
                                   rtol=1e-9, atol=1e-12, err_msg=column)


def test_concentration_on_the_tiny_census(tiny_warehouse):
    """The tiny census of tests/tiny_inputs.py (a merge and a concordance split): every region and industry
    index agrees with the dense computation too."""
    firms, regions, industries = read_tables(tiny_warehouse, "int_firms_harmonised", "region_concentration",
                                             "industry_concentration")
    regions = regions.set_index(["year", "region_level", "region_code", "industry_digits"])
    industries = industries.set_index(["year", "industry_digits", "industry_code", "region_level"])
    checked = 0
    for year, level, digits, frame, matrix in dense_matrices(firms):
        matrix = matrix.loc[:, manufacturing(frame, matrix.columns)]
        values = matrix.to_numpy()
        nation = values.sum(axis=0) / values.sum()
        for region, row in zip(matrix.index, values):
            got = regions.loc[(year, level, region, digits)]
            if row.sum() == 0:   # only a utility: no industry in scope
                assert np.isnan(got["hhi"]) and got["n_industries"] == 0
                checked += 1
                continue
            share = row / row.sum()
            assert got["hhi"] == pytest.approx(np.sum(share ** 2), rel=1e-12)
            assert got["krugman"] == pytest.approx(np.abs(share - nation).sum(), rel=1e-12, abs=1e-15)
            assert got["gini"] == pytest.approx(reat_gini(share / nation), rel=1e-12, abs=1e-15)
            checked += 1
        for industry in matrix.columns:
            got = industries.loc[(year, digits, industry, level)]
            assert got["locational_gini"] == pytest.approx(
                econgeo_locational_gini(matrix[industry].to_numpy(), values.sum(axis=1)), rel=1e-12, abs=1e-15)
    assert checked == len(regions)


def test_every_column_of_the_outcome_models_is_documented(tiny_warehouse):
    """The yml beside the models lists exactly the columns the models build, each with a description."""
    import duckdb
    import yaml

    root = Path(__file__).resolve().parents[1]
    documented = {}
    for path in ("models/marts/_marts_outcomes.yml", "models/intermediate/_int_panel.yml"):
        for model in yaml.safe_load((root / path).read_text(encoding="utf-8"))["models"]:
            assert model.get("description"), model["name"]
            assert all(column.get("description") for column in model["columns"]), model["name"]
            documented[model["name"]] = [column["name"] for column in model["columns"]]
    assert set(documented) == {"region_concentration", "industry_concentration", "region_outcomes", "county_outcomes",
                               "firm_panel", "panel_match_rates", "int_panel_years", "int_firm_matches"}
    with duckdb.connect(str(tiny_warehouse), read_only=True) as con:
        for name, columns in documented.items():
            assert [row[0] for row in con.sql(f"describe {name}").fetchall()] == columns, name
