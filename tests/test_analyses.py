"""Ad hoc SQL (SPEC section 12): the dimension marts `counties` and `prefectures`, the dbt analyses of
analysis/, and the query command, on a small census with named regions (tests/named_census.py).

Each analysis is compiled by dbt with test vars and run on the warehouse; its answer is held against the
same question answered with pandas from the marts (or, where the answer is known by construction, from
the inputs).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from conftest import REPO_ROOT
from named_census import NAMES, REJECTED_1995, write_named_census

ANALYSIS_DIR = REPO_ROOT / "analysis"
# The vars the analyses are compiled with here (their defaults are for a real census).
ANALYSIS_VARS = {"year": 2004, "top_n": 3, "county_code": "110105"}


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    """The warehouse, built once; and the count of input files read, to show that none is read twice."""
    from cluster_finance import landing
    from cluster_finance.warehouse import build_warehouse

    root = tmp_path_factory.mktemp("named")
    census = write_named_census(root / "raw", root / "reference")
    reads = []
    original = landing.land

    def counted(table, *args, **kwargs):
        reads.append(table)
        return original(table, *args, **kwargs)

    landing.land = counted
    try:
        result = build_warehouse(root / "raw", root / "reference", root / "warehouse.duckdb",
                                 target_path=root / "target")
    finally:
        landing.land = original
    return SimpleNamespace(warehouse=result.warehouse, census=census, root=root, reads=reads)


def read(warehouse: Path, sql: str) -> pd.DataFrame:
    from cluster_finance.warehouse import connect

    with connect(warehouse) as con:
        return con.execute(sql).df()


@pytest.fixture(scope="module")
def marts(named):
    tables = ["region_proximity", "region_industry_proximity", "county_proximity", "county_outcomes", "cells",
              "region_concentration", "counties", "prefectures", "cic_divisions", "int_county_harmonised",
              "ingest_reconciliation", "firm_panel"]
    return SimpleNamespace(**{t: read(named.warehouse, f"select * from {t}") for t in tables})


@pytest.fixture(scope="module")
def compiled(named):
    """Every analysis compiled by dbt (`dbt compile`), by name."""
    from cluster_finance.warehouse import run_dbt

    target = named.root / "target_analyses"
    result = run_dbt(["compile", "--select", "path:analysis"], named.warehouse, ANALYSIS_VARS, target_path=target)
    assert result.success, result.exception
    folder = target / "compiled" / "cluster_finance" / "analysis"
    return {path.stem: path.read_text(encoding="utf-8") for path in folder.glob("*.sql")}


def run_analysis(named, compiled, name: str) -> pd.DataFrame:
    return read(named.warehouse, compiled[name])


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same columns in the same order, same rows in the same order; numbers to 1e-9."""
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want), (got, want)
    assert len(got), "an analysis that answers nothing checks nothing"
    for column in got.columns:
        a, b = got[column].reset_index(drop=True), want[column].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(a):
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9, atol=1e-12,
                                       equal_nan=True, err_msg=column)
        else:
            assert [None if pd.isna(x) else x for x in a] == [None if pd.isna(x) else x for x in b], column


def county_slice(frame: pd.DataFrame, year=2004, weight="output") -> pd.DataFrame:
    return frame[(frame["region_level"] == "county") & (frame["industry_digits"] == 4)
                 & (frame["weight"] == weight) & (frame["year"] == year)]


NAME_COLUMNS = ["county_code", "county_name", "prefecture_name", "province_name"]

# ------------------------------------------------------------------------------------ the build


def test_no_input_file_is_read_twice(named):
    """The on-run-start hook lands every input once; the landing models take those tables."""
    assert sorted(named.reads) == sorted(set(named.reads)) and "census_firms" in named.reads
    assert len(named.reads) == len(list((REPO_ROOT / "models" / "staging" / "landing").glob("land_*.py")))


# ------------------------------------------------------------------------------- dimension marts


def test_counties_are_named_as_their_label_in_the_latest_year(marts):
    counties = marts.counties.set_index("county_code")
    assert counties.index.is_unique
    # renamed between the censuses: the latest name
    assert counties.loc["110101", "county_name"] == "东城区"
    # merged (110102 + 110103 -> 110105) and split (110104 -> 110106 + 110107) units: their label's name
    assert counties.loc["110105", "county_name"] == "朝阳区"
    assert counties.loc["110106", "county_name"] == "丰台区"
    # the latest year names none: the label's name in the year before
    assert counties.loc["120201", "county_name"] == NAMES[(1995, "120201")][0]
    for code, row in counties.iterrows():
        names = {year: NAMES[(year, code)][0] for year in (2004, 1995) if NAMES.get((year, code), (None,))[0]}
        assert row["county_name"] == names[max(names)], code
        assert row["prefecture_code"] == code[:4] and row["province_code"] == code[:2]


def test_counties_list_their_member_codes(marts):
    members = marts.int_county_harmonised
    counties = marts.counties.set_index("county_code")
    for label, group in members.groupby("harmonised_county_code"):
        by_year = group.groupby("year")["county_code"].apply(lambda codes: ",".join(sorted(codes)))
        assert counties.loc[label, "member_codes"] == "; ".join(f"{y}: {c}" for y, c in by_year.items())
        assert counties.loc[label, "n_codes"] == group["county_code"].nunique()
        assert counties.loc[label, "latest_year"] == group["year"].max()
    assert counties.loc["110105", "member_codes"] == "1995: 110102,110103; 2004: 110105"
    assert counties.loc["110106", "member_codes"] == "1995: 110104; 2004: 110106,110107"


def test_every_county_of_the_marts_has_a_named_row(marts):
    known = set(marts.counties["county_code"])
    for frame in (marts.county_proximity, marts.county_outcomes, marts.firm_panel):
        assert set(frame["county_code"]) <= known
    assert set(marts.region_proximity.loc[marts.region_proximity["region_level"] == "prefecture", "region_code"]) \
        <= set(marts.prefectures["prefecture_code"])


def test_prefectures_and_provinces_are_named(marts):
    prefectures = marts.prefectures.set_index("prefecture_code")
    assert prefectures.index.is_unique
    assert prefectures.loc["1101", "prefecture_name"] == "北京市辖区"
    assert prefectures.loc["1102", "prefecture_name"] == "北京县"
    assert pd.isna(prefectures.loc["1201", "prefecture_name"])  # the regions table names none
    # no county names it, but the prefecture-level unit 130100 does
    assert prefectures.loc["1301", "prefecture_name"] == "石家庄市"
    # province 13 is named in 1995 only
    assert prefectures.loc["1301", "province_name"] == "河北省"
    assert prefectures.loc["1101", "province_name_en"] == "Beijing"
    counts = marts.counties.groupby("prefecture_code").size()
    assert (prefectures["n_counties"] == counts.reindex(prefectures.index)).all()
    counties = marts.counties.merge(prefectures, left_on="prefecture_code", right_index=True, suffixes=("", "_p"))
    for column in ("prefecture_name", "province_name"):
        assert counties[column].fillna("").equals(counties[f"{column}_p"].fillna(""))


# -------------------------------------------------------------------------------------- analyses


def test_the_analyses_say_what_they_answer(compiled):
    sources = sorted(ANALYSIS_DIR.glob("*.sql"))
    assert len(sources) >= 8
    assert {path.stem for path in sources} == set(compiled)
    for path in sources:
        comment = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("--"):
                break
            comment.append(line)
        assert len(comment) >= 2 and "?" in " ".join(comment[:3]), f"{path.name} opens with its question"
        assert any(line.startswith("-- Vars:") for line in comment), f"{path.name} lists its vars"
        assert "{{" not in compiled[path.stem]


ANALYSIS_CHECKED = []


def checks(name):
    """Register the test of one analysis (so that every analysis is checked: see the test below)."""
    def register(test):
        ANALYSIS_CHECKED.append(name)
        return test
    return register


def test_every_analysis_is_checked(compiled):
    assert sorted(ANALYSIS_CHECKED) == sorted(compiled)


@checks("most_and_least_clustered_counties")
def test_most_and_least_clustered_counties(named, compiled, marts):
    got = run_analysis(named, compiled, "most_and_least_clustered_counties")
    counties = county_slice(marts.region_proximity)
    counties = counties[~counties["is_flagged"]].rename(columns={"region_code": "county_code"})
    top_n = ANALYSIS_VARS["top_n"]
    most = counties.sort_values(["proximity", "county_code"], ascending=[False, True]).head(top_n)
    least = counties.sort_values(["proximity", "county_code"]).head(top_n)
    want = pd.concat([most.assign(end_of_ranking="most", rank=range(1, top_n + 1)),
                      least.assign(end_of_ranking="least", rank=range(1, top_n + 1))])
    want = want.merge(marts.counties[NAME_COLUMNS], on="county_code", how="left")
    assert_same(got, want[["end_of_ranking", "rank", *NAME_COLUMNS, "proximity", "n_industries", "excluded_share"]])
    assert got["proximity"].iloc[0] == counties["proximity"].max()


@checks("proximity_change_by_province")
def test_proximity_change_by_province(named, compiled, marts):
    got = run_analysis(named, compiled, "proximity_change_by_province")
    rp = marts.region_proximity
    rp = rp[(rp["industry_digits"] == 4) & (rp["weight"] == "output")]
    province = rp[rp["region_level"] == "province"].pivot(index="region_code", columns="year", values="proximity")
    county = rp[(rp["region_level"] == "county") & rp["proximity"].notna()] \
        .pivot(index="region_code", columns="year", values="proximity").dropna()
    county_means = county.groupby(county.index.str[:2]).agg(["count", "mean"])
    rows = []
    for code in sorted(set(province.index) | set(county_means.index)):
        p_from, p_to = (province.loc[code, y] if code in province.index else np.nan for y in (1995, 2004))
        if code in county_means.index:
            n, c_from, c_to = county_means.loc[code, (1995, "count")], county_means.loc[code, (1995, "mean")], \
                county_means.loc[code, (2004, "mean")]
        else:
            n, c_from, c_to = 0, np.nan, np.nan
        rows.append((code, p_from, p_to, p_to - p_from, n, c_from, c_to, c_to - c_from))
    want = pd.DataFrame(rows, columns=["province_code", "proximity_from", "proximity_to", "proximity_change",
                                       "n_counties_both_years", "mean_county_proximity_from",
                                       "mean_county_proximity_to", "mean_county_change"])
    names = marts.prefectures[["province_code", "province_name", "province_name_en"]].drop_duplicates()
    want = want.merge(names, on="province_code", how="left") \
        .sort_values(["proximity_change", "province_code"], ascending=[False, True], na_position="last")
    assert_same(got, want[list(got.columns)])
    assert list(got.columns[:3]) == ["province_code", "province_name", "province_name_en"]
    # 110102 + 110103 (1995) and 110105 (2004) are one county here, so Beijing has all five counties
    assert got.set_index("province_code").loc["11", "n_counties_both_years"] == 5


@checks("county_industry_terms")
def test_county_industry_terms(named, compiled, marts):
    got = run_analysis(named, compiled, "county_industry_terms")
    terms = county_slice(marts.region_industry_proximity)
    terms = terms[terms["region_code"] == ANALYSIS_VARS["county_code"]]
    divisions = marts.cic_divisions.rename(columns={"name_en": "division_name"})
    division_code = terms["industry_code"].str[:2].where(~terms["industry_code"].str.startswith("1994:"))
    want = terms.assign(division_code=division_code).merge(divisions, on="division_code", how="left")
    want = want.rename(columns={"proximity": "industry_proximity"})
    want["share_of_county_proximity"] = want["contribution"] / want["contribution"].sum()
    want = want.sort_values(["contribution", "size", "industry_code"], ascending=[False, False, True],
                            na_position="last")
    assert_same(got, want[list(got.columns)])
    # the contributions add up to the county's proximity, and the utility is listed but left out
    county = marts.county_proximity.set_index(["county_code", "year"]).loc[(ANALYSIS_VARS["county_code"], 2004)]
    assert got["contribution"].sum() == pytest.approx(county["proximity_output"], rel=1e-12)
    assert (~got["is_mapped"]).any() and got.loc[~got["is_mapped"], "industry_proximity"].isna().all()


@checks("counties_on_few_industries")
def test_counties_on_few_industries(named, compiled, marts):
    got = run_analysis(named, compiled, "counties_on_few_industries")
    counties = county_slice(marts.region_proximity).rename(columns={"region_code": "county_code"})
    largest = county_slice(marts.region_industry_proximity).groupby("region_code")["size_share"].max()
    want = counties[(counties["n_industries"] <= 3) | (counties["excluded_share"] >= 0.5)]
    want = want.assign(largest_industry_share=want["county_code"].map(largest)) \
        .merge(marts.counties[NAME_COLUMNS], on="county_code", how="left") \
        .sort_values(["n_industries", "excluded_share", "county_code"], ascending=[True, False, True])
    assert_same(got, want[list(got.columns)])
    assert got["is_flagged"].any() and (~got["is_flagged"]).any()


@checks("proximity_against_minimum_capital")
def test_proximity_against_minimum_capital(named, compiled, marts):
    got = run_analysis(named, compiled, "proximity_against_minimum_capital")
    counties = marts.county_proximity.merge(marts.county_outcomes, on=["county_code", "year"])
    counties = counties[(counties["year"] == 2004) & counties["proximity_output"].notna()] \
        .sort_values(["proximity_output", "county_code"]).reset_index(drop=True)
    # ntile(5): sizes as equal as possible, the larger groups first
    size, extra = divmod(len(counties), 5)
    counties["group"] = np.repeat(np.arange(1, 6), [size + (g < extra) for g in range(5)])
    rows = []
    for group, part in counties.groupby("group"):
        rows.append((group, len(part), part["proximity_output"].min(), part["proximity_output"].max(),
                     part["proximity_output"].mean(), part["min_asset"].mean(), part["p5_asset"].mean(),
                     part["p10_asset"].mean(), part["n_firms"].mean(), part["n_small_firms"].mean()))
    want = pd.DataFrame(rows, columns=list(got.columns[:-1]))
    positive = counties[counties["p10_asset"] > 0]
    want["corr_proximity_log_p10"] = np.corrcoef(positive["proximity_output"], np.log(positive["p10_asset"]))[0, 1]
    assert_same(got, want)


@checks("counties_alike_in_industry_mix")
def test_counties_alike_in_industry_mix(named, compiled, marts):
    got = run_analysis(named, compiled, "counties_alike_in_industry_mix")
    cells = marts.cells
    cells = cells[(cells["region_level"] == "county") & (cells["industry_digits"] == 4) & (cells["year"] == 2004)
                  & (cells["output"] > 0)]
    matrix = cells.pivot_table(index="region_code", columns="industry_code", values="output", fill_value=0.0)
    target = ANALYSIS_VARS["county_code"]
    unit = matrix.div(np.sqrt((matrix ** 2).sum(axis=1)), axis=0)
    similarity = unit.drop(index=target) @ unit.loc[target]
    common = ((matrix.drop(index=target) > 0) & (matrix.loc[target] > 0)).sum(axis=1)
    want = pd.DataFrame({"county_code": similarity.index, "cosine_similarity": similarity.to_numpy(),
                         "n_common_industries": common.reindex(similarity.index).to_numpy()})
    want = want[want["n_common_industries"] > 0] \
        .sort_values(["cosine_similarity", "county_code"], ascending=[False, True]).head(ANALYSIS_VARS["top_n"])
    want["rank"] = range(1, len(want) + 1)
    proximity = marts.county_proximity[marts.county_proximity["year"] == 2004].set_index("county_code")["proximity_output"]
    want["proximity_output"] = want["county_code"].map(proximity)
    want["target_proximity_output"] = proximity[target]
    want = want.merge(marts.counties[["county_code", "county_name", "province_name"]], on="county_code", how="left")
    assert_same(got, want[list(got.columns)])


@checks("county_profile")
def test_county_profile(named, compiled, marts):
    got = run_analysis(named, compiled, "county_profile")
    code = ANALYSIS_VARS["county_code"]
    concentration = marts.region_concentration
    concentration = concentration[(concentration["region_level"] == "county") & (concentration["industry_digits"] == 4)] \
        .rename(columns={"region_code": "county_code"})[["county_code", "year", "hhi", "krugman", "gini"]]
    want = marts.county_proximity[marts.county_proximity["county_code"] == code] \
        .merge(marts.counties, on="county_code") \
        .merge(concentration, on=["county_code", "year"], how="left") \
        .merge(marts.county_outcomes, on=["county_code", "year"], how="left").sort_values("year")
    assert_same(got, want[list(got.columns)])
    assert list(got["year"]) == [1995, 2004] and got["member_codes"].iloc[0] == "1995: 110102,110103; 2004: 110105"


@checks("merged_counties")
def test_merged_counties(named, compiled):
    got = run_analysis(named, compiled, "merged_counties")
    # known by construction (tests/test_region_proximity.py CROSSWALK and named_census.NAMES)
    members = [("110105", 1995, "110102"), ("110105", 1995, "110103"), ("110105", 2004, "110105"),
               ("110106", 1995, "110104"), ("110106", 2004, "110106"), ("110106", 2004, "110107")]
    want = pd.DataFrame([(unit, NAMES[(2004, unit)][0], "北京市", year, code, NAMES[(year, code)][0])
                         for unit, year, code in members], columns=list(got.columns))
    assert_same(got, want)


@checks("proximity_against_concentration")
def test_proximity_against_concentration(named, compiled, marts):
    got = run_analysis(named, compiled, "proximity_against_concentration")
    concentration = marts.region_concentration
    concentration = concentration[(concentration["region_level"] == "county") & (concentration["industry_digits"] == 4)]
    paired = marts.county_proximity.merge(concentration, left_on=["county_code", "year"],
                                          right_on=["region_code", "year"])
    paired = paired[paired["proximity_output"].notna()]
    rows = []
    for year, part in paired.groupby("year"):
        rows.append((year, len(part), *(part["proximity_output"].corr(part[c]) for c in ("hhi", "krugman", "gini"))))
    assert_same(got, pd.DataFrame(rows, columns=list(got.columns)))


@checks("rejected_rows_by_reason")
def test_rejected_rows_by_reason(named, compiled):
    got = run_analysis(named, compiled, "rejected_rows_by_reason")
    # the two bad rows appended to firms_1995.csv (named_census.REJECTED_1995)
    n_rows = len(named.census[1995])
    first_bad = n_rows - len(REJECTED_1995) + 1
    want = pd.DataFrame([("firms_1995.csv", 1995, "negative_value", 1, 1 / n_rows, first_bad),
                         ("firms_1995.csv", 1995, "unknown_county_code", 1, 1 / n_rows, first_bad + 1)],
                        columns=list(got.columns))
    assert_same(got, want)


# ------------------------------------------------------------------------------- the query command


def _sql(*args, cwd):
    """`python -m cluster_finance sql ...` as a user runs it: the venv's python, python/ on its path
    (what the venv's .pth does), from any folder."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "python")}
    env.pop("CLUSTER_FINANCE_WAREHOUSE", None)
    return subprocess.run([sys.executable, "-m", "cluster_finance", "sql", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_sql_prints_a_table(named, tmp_path):
    done = _sql("select county_code, county_name, member_codes from counties order by county_code",
                "--warehouse", named.warehouse, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "county_name" in done.stdout and "朝阳区" in done.stdout and "1995: 110102,110103" in done.stdout
    assert "(10 rows)" in done.stdout and not done.stderr


def test_sql_writes_csv_and_parquet(named, marts, tmp_path):
    query = "select * from region_proximity order by year, region_level, region_code, industry_digits, weight"
    done = _sql(query, "--warehouse", named.warehouse, "--csv", "out/result.csv", "--parquet", "result.parquet",
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"{len(marts.region_proximity)} rows written to out/result.csv and result.parquet" in done.stdout
    want = read(named.warehouse, query)
    from_parquet = pd.read_parquet(tmp_path / "result.parquet")
    from_csv = pd.read_csv(tmp_path / "out" / "result.csv", dtype={"region_code": str})
    for got in (from_parquet, from_csv):
        assert list(got.columns) == list(want.columns) and len(got) == len(want)
        np.testing.assert_allclose(got["proximity"].to_numpy(float), want["proximity"].to_numpy(float),
                                   rtol=1e-12, equal_nan=True)
        assert list(got["region_code"]) == list(want["region_code"])


@pytest.mark.parametrize("query,message", [
    ("selec county_code from counties", r"Parser Error: syntax error at or near \"selec\""),
    ("select * from no_such_table", r"Catalog Error: Table with name no_such_table does not exist!.*"),
    ("create table scratch as select 1", r".*read-only mode!"),
])
def test_sql_says_one_line_for_a_bad_query(named, tmp_path, query, message):
    before = named.warehouse.stat().st_mtime_ns
    done = _sql(query, "--warehouse", named.warehouse, cwd=tmp_path)
    assert done.returncode == 2 and not done.stdout
    assert re.fullmatch(r"cluster_finance sql: " + message + "\n", done.stderr), done.stderr
    assert "Traceback" not in done.stderr
    assert named.warehouse.stat().st_mtime_ns == before


def test_sql_says_one_line_for_a_missing_warehouse(tmp_path):
    done = _sql("select 1", "--warehouse", tmp_path / "build" / "warehouse.duckdb", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (f"cluster_finance sql: no warehouse at {tmp_path / 'build' / 'warehouse.duckdb'}: "
                           "build it first (make build, or python -m cluster_finance build), or point "
                           "--warehouse at one\n")
    assert not (tmp_path / "build").exists()


def test_sql_runs_an_analysis(named, compiled, tmp_path):
    """--file runs a compiled analysis; --analysis compiles one with its vars and runs it."""
    path = tmp_path / "terms.sql"
    path.write_text(compiled["county_industry_terms"], encoding="utf-8")
    done = _sql("--file", path, "--warehouse", named.warehouse, "--csv", "from_file.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = _sql("--analysis", "county_industry_terms", "--vars", "{county_code: '110105', year: 2004}",
                "--warehouse", named.warehouse, "--csv", "from_analysis.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    from_file = pd.read_csv(tmp_path / "from_file.csv", dtype={"industry_code": str})
    from_analysis = pd.read_csv(tmp_path / "from_analysis.csv", dtype={"industry_code": str})
    pd.testing.assert_frame_equal(from_file, from_analysis)
    assert_same(from_file, run_analysis(named, compiled, "county_industry_terms"))


def _readme_section(title: str) -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_readme_query_commands_run_as_written(named, tmp_path):
    """Every `python -m cluster_finance sql ...` line of the README's "Querying the warehouse" section
    runs (against the test warehouse) and prints or writes a result."""
    lines = [line.strip() for line in _readme_section("Querying the warehouse").splitlines()]
    commands = [line for line in lines if re.match(r"(\.venv/bin/)?python -m cluster_finance sql ", line)]
    assert len(commands) >= 3
    for command in commands:
        args = shlex.split(command.split(" #")[0])[4:]  # after: python -m cluster_finance sql
        done = _sql(*args, "--warehouse", named.warehouse, cwd=tmp_path)
        assert done.returncode == 0, (command, done.stderr)
        assert "rows" in done.stdout or "row)" in done.stdout, command
