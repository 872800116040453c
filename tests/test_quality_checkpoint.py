"""The Great Expectations checkpoint (cluster_finance.quality) and the generic tests of
macros/tests/quality_tests.sql: they pass on good data and catch each kind of bad data, by name and count.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from cluster_finance.quality import run_quality_checks
from cluster_finance.quality.mart_suites import mart_suites

REPO_ROOT = Path(__file__).resolve().parents[1]


def _tables(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}


@pytest.fixture(scope="module")
def good_run(tiny_warehouse, tmp_path_factory):
    reports = tmp_path_factory.mktemp("reports")
    home_gx = Path.home() / "gx"
    had_home_gx = home_gx.exists()
    # conftest's tiny_warehouse keeps its inputs beside the warehouse file
    result = run_quality_checks(tiny_warehouse, tiny_warehouse.parent / "raw", tiny_warehouse.parent / "reference",
                                reports, progress=False)
    assert home_gx.exists() == had_home_gx  # nothing written to the user's home
    return result, reports


def test_checkpoint_passes_on_good_data(good_run, tiny_warehouse):
    result, _ = good_run
    assert result.success, result.report()
    statuses = {s.name: s.status for s in result.suites}
    for name in ("raw_census_firms_1995", "raw_census_firms_2004", "accepted_firms", "raw_world_trade",
                 "raw_isic_sitc", "raw_industry_concordance", "raw_industry_isic", "raw_county_crosswalk",
                 "raw_regions", "raw_yearbook_totals", "mart_rejected_firms", "mart_ingest_reconciliation"):
        assert statuses[name] == "passed", name
    built = _tables(tiny_warehouse)
    for spec in mart_suites():
        expected = "passed" if all(t in built for t in spec.tables) else "not built"
        assert statuses[spec.name] == expected, spec.name
    assert result.suite("raw_census_firms_1995").rows == 6
    assert result.suite("raw_census_firms_2004").rows == 8
    assert result.suite("accepted_firms").rows == 14


def test_data_docs_written(good_run):
    result, reports = good_run
    assert result.data_docs == reports / "data_docs" / "index.html"
    index = result.data_docs.read_text()
    assert "raw_census_firms_1995" in index and "mart_ingest_reconciliation" in index
    validations = list((reports / "data_docs" / "validations").rglob("*.html"))
    validated = {s.name for s in result.suites if s.status in ("passed", "failed")}
    assert {_suite_of(p, reports) for p in validations} == validated


def _suite_of(path: Path, reports: Path) -> str:
    return path.relative_to(reports / "data_docs" / "validations").parts[0]


# ------------------------------------------------------------------------- the checkpoint catches bad data

@pytest.fixture(scope="module")
def bad_run(tiny_warehouse, tmp_path_factory):
    """The tiny warehouse, damaged by hand in ways the dbt build would not have let through."""
    root = tmp_path_factory.mktemp("damaged")
    warehouse = root / "warehouse.duckdb"
    shutil.copy(tiny_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        # one file's reconciliation no longer matches the file (7 rows claimed, 6 in the file)
        con.execute("update ingest_reconciliation set raw_rows = raw_rows + 1 where census_year = 1995")
        # an accepted firm duplicated (as a 9th row of the 2004 file), and one with a share above 1;
        # int_firms_accepted is a view (staging joined to the verdicts): make it a table to damage it
        con.execute("create table accepted_copy as select * from int_firms_accepted")
        con.execute("drop view int_firms_accepted")
        con.execute("alter table accepted_copy rename to int_firms_accepted")
        rows = "int_firms_accepted"
        con.execute(f"insert into {rows} select * replace (9 as source_row) from {rows} "
                    "where census_year = 2004 and firm_id = 'A001'")
        con.execute(f"update {rows} set state_share = 1.5 where census_year = 1995 and firm_id = 'A002'")
        # a raw 1995 row whose county code is not a code (1 of 7 rows: far above the 1% tolerated)
        con.execute("insert into land_census_firms select * replace (7 as source_row, 'Z999' as firm_id, 'abc' as county_code) "
                    "from land_census_firms where census_year = 1995 and source_row = 1")
        # a proximity mart that is asymmetric and leaves [0,1]
        con.execute("create or replace table product_proximity as select * from (values "
                    "('0001', '0002', 0.5), ('0002', '0001', 0.4), ('0001', '0003', 1.2), ('0003', '0001', 1.2)) "
                    "t(product_a, product_b, proximity)")
        # a region row whose left-out share is not a share
        con.execute("create or replace table region_proximity as select * from (values "
                    "(1995, 'county', '110101', 4, 'output', 0.3, 2, 0.0), "
                    "(1995, 'county', '110102', 4, 'output', null, 1, 1.5)) "
                    "t(year, region_level, region_code, industry_digits, weight, proximity, n_industries, excluded_share)")
        # a mart whose columns are not the ones its suite reads (no classification column)
        con.execute("create or replace table industry_proximity as select 4 as industry_digits, "
                    "'1311' as industry_a, '1320' as industry_b, 0.5 as proximity")
        # a mart this build did not make
        con.execute("drop table if exists county_outcomes")
    reports = root / "reports"
    result = run_quality_checks(warehouse, tiny_warehouse.parent / "raw", tiny_warehouse.parent / "reference",
                                reports, progress=False)
    return result


def _failed(result, suite):
    return {line.split(":")[0]: line for line in result.suite(suite).failures}


def test_checkpoint_fails_on_bad_data(bad_run):
    assert not bad_run.success
    statuses = {s.name: s.status for s in bad_run.suites}
    assert statuses["raw_census_firms_2004"] == "passed"
    assert statuses["mart_rejected_firms"] == "passed"
    assert statuses["mart_county_outcomes"] == "not built"
    assert statuses["mart_industry_proximity"] == "failed"
    (line,) = bad_run.suite("mart_industry_proximity").failures
    assert line.startswith("could not pull the batch: ") and "classification" in line


def test_reconciliation_mismatch_caught(bad_run):
    failed = _failed(bad_run, "mart_ingest_reconciliation")
    # 1995: the mart claims 7 raw rows, the file has 6 and 6 are accounted for; 2004: int_firms_accepted
    # holds a row (the duplicated A001) that the mart's accepted_rows does not count
    assert set(failed) == {"expect_column_pair_values_to_be_equal(raw_rows,file_rows)",
                           "expect_column_pair_values_to_be_equal(raw_rows,accounted_rows)",
                           "expect_column_pair_values_to_be_equal(accepted_rows,accepted_table_rows)"}
    assert all("1 unexpected" in line for line in failed.values())


def test_accepted_firms_rules_caught(bad_run):
    failed = _failed(bad_run, "accepted_firms")
    # the share of 1.5 also takes A002's shares to 2.3 in all
    assert set(failed) == {"expect_compound_columns_to_be_unique(['census_year', 'firm_id'])",
                           "expect_column_values_to_be_between(state_share)",
                           "expect_column_values_to_be_between(share_sum)"}
    assert "2 unexpected" in failed["expect_compound_columns_to_be_unique(['census_year', 'firm_id'])"]
    assert "1 unexpected" in failed["expect_column_values_to_be_between(state_share)"]
    assert "1 unexpected" in failed["expect_column_values_to_be_between(share_sum)"]


def test_raw_census_code_shape_caught(bad_run):
    failed = _failed(bad_run, "raw_census_firms_1995")
    assert set(failed) == {"expect_column_values_to_match_regex(county_code)"}
    assert "1 unexpected, e.g. ['abc']" in failed["expect_column_values_to_match_regex(county_code)"]


def test_proximity_range_and_symmetry_caught(bad_run):
    failed = _failed(bad_run, "mart_product_proximity")
    assert set(failed) == {"expect_column_values_to_be_between(proximity)",
                           "expect_column_values_to_be_between(asymmetry)"}
    assert "2 unexpected" in failed["expect_column_values_to_be_between(proximity)"]   # the two 1.2s
    assert "2 unexpected" in failed["expect_column_values_to_be_between(asymmetry)"]   # 0.5 vs 0.4, both ways
    failed = _failed(bad_run, "mart_region_proximity")
    assert set(failed) == {"expect_column_values_to_be_between(excluded_share)"}


# ------------------------------------- generic tests of quality_tests.sql (and is_symmetric of proximity_tests.sql)

MINI_PROJECT = """
name: cluster_finance
version: "0.1.0"
config-version: 2
profile: cluster_finance
model-paths: ["models"]
seed-paths: ["seeds"]
macro-paths: ["macros"]
"""

MINI_SCHEMA = """
version: 2
seeds:
  - name: pairs_sym
    data_tests:
      - is_symmetric: {arguments: {row_column: a, col_column: b, value_column: p}}
  - name: pairs_asym
    data_tests:
      - is_symmetric: {arguments: {row_column: a, col_column: b, value_column: p}}
      - equal_row_count: {arguments: {compare_model: ref('pairs_sym')}}
  - name: pairs_by_digits
    data_tests:
      - is_symmetric: {arguments: {row_column: a, col_column: b, value_column: p, partition_by: [digits]}}
      - equal_row_count:
          arguments: {compare_model: ref('pairs_sym'), where_clause: "digits = 4", compare_where_clause: "a = 'a'"}
  - name: shares
    data_tests:
      - sum_at_most: {arguments: {columns: [s1, s2, s3], max_value: 1.01}}
  - name: recon
    data_tests:
      - sums_to: {arguments: {total: raw_rows, parts: [accepted_rows, rejected_rows]}}
  - name: codes
    columns:
      - name: code
        data_tests:
          - matches_regex: {arguments: {pattern: "[0-9]{6}"}}
models:
  - name: numbers
    columns:
      - name: x
        data_tests: [finite_values]
"""

MINI_SEEDS = {
    "pairs_sym": "a,b,p\na,b,0.5\nb,a,0.5\na,c,0.2\nc,a,0.2\n",
    "pairs_asym": "a,b,p\na,b,0.5\nb,a,0.4\na,c,0.2\n",
    "pairs_by_digits": "digits,a,b,p\n4,a,b,0.5\n4,b,a,0.5\n2,a,b,0.3\n2,b,a,0.5\n",
    "shares": "s1,s2,s3\n0.5,0.5,\n0.6,0.4,0\n0.6,0.6,0\n",
    "recon": "raw_rows,accepted_rows,rejected_rows\n10,7,3\n10,7,2\n,1,1\n",
    "codes": "code\n110101\n11010\n11010a\n\n",
}

# Failing rows each test must return, worked out by hand from the seeds above.
EXPECTED_FAILURES = {
    "is_symmetric_pairs_sym": 0,
    "is_symmetric_pairs_asym": 3,        # (a,b) and (b,a) disagree; (a,c) has no mirror
    "equal_row_count_pairs_asym": 1,        # 3 rows against 4
    "is_symmetric_pairs_by_digits": 2,   # at 2 digits 0.3 vs 0.5; the 4-digit pair agrees
    "equal_row_count_pairs_by_digits": 0,   # 2 four-digit rows, 2 rows with a = 'a'
    "sum_at_most_shares": 1,                # 1.2 > 1.01; 1.0 and 1.0 pass
    "sums_to_recon": 2,                     # 10 <> 9, and a NULL total
    "matches_regex_codes_code": 2,          # 11010 and 11010a; NULL passes
    "finite_values_numbers_x": 2,           # inf and nan; NULL passes
}


def test_generic_quality_tests(tmp_path):
    from dbt.cli.main import dbtRunner

    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "macros", project / "macros")
    (project / "seeds").mkdir(parents=True)
    (project / "models").mkdir()
    (project / "dbt_project.yml").write_text(MINI_PROJECT)
    (project / "profiles.yml").write_text(
        f"cluster_finance:\n  target: t\n  outputs:\n    t: {{type: duckdb, path: '{tmp_path / 'mini.duckdb'}'}}\n")
    (project / "models" / "schema.yml").write_text(MINI_SCHEMA)
    (project / "models" / "numbers.sql").write_text(
        "select * from (values (1.0::double), ('inf'::double), ('nan'::double), (null::double)) t(x)")
    for name, text in MINI_SEEDS.items():
        (project / "seeds" / f"{name}.csv").write_text(text)
    target = tmp_path / "target"
    dbtRunner().invoke(["build", "--project-dir", str(project), "--profiles-dir", str(project),
                        "--target-path", str(target), "--log-path", str(tmp_path / "logs"), "--quiet"])
    manifest = json.loads((target / "manifest.json").read_text())["nodes"]
    failures = {}
    for r in json.loads((target / "run_results.json").read_text())["results"]:
        node = manifest[r["unique_id"]]
        if node["resource_type"] != "test":
            continue
        name = "_".join([node["test_metadata"]["name"], node["attached_node"].split(".")[-1],
                         *([node["column_name"]] if node.get("column_name") else [])])
        failures[name] = r["failures"] if r["status"] in ("pass", "fail") else r["status"]
    assert {k: failures.get(k) for k in EXPECTED_FAILURES} == EXPECTED_FAILURES
