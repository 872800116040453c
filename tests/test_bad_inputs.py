"""Every bad input of the corpus (tests/bad_inputs.py) ends in its exact outcome: reject rows with the
right reason, or one clear sentence naming the file and the problem. Never a traceback, never a lost row.
"""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from bad_inputs import FILE_CASES, PARQUET_CASE, PARQUET_FILE, ROW_CASES, ROW_FILE, write_file_case, write_row_corpus
from cluster_finance.warehouse import BuildError, build_warehouse

# The ingest part of the pipeline and its tests: what decides every outcome here. Selecting it keeps each
# build to seconds as the marts downstream grow; a broken file stops the build at land_census_firms, the
# first node, whatever is selected.
INGEST = ["+rejected_firms", "+ingest_reconciliation", "+int_firms_accepted"]

# ------------------------------------------------------------------------------------------ row cases

@pytest.fixture(scope="module")
def row_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("row_corpus")
    outcome = write_row_corpus(root / "raw", root / "reference")
    result = build_warehouse(root / "raw", root / "reference", root / "warehouse.duckdb",
                             target_path=root / "target", select=INGEST)
    con = duckdb.connect(str(result.warehouse), read_only=True)
    yield con, outcome
    con.close()


def _outcome_of(con, file, row_number):
    """(firm_id, reason, detail) of one raw row: reason None when it was accepted."""
    rejected = con.execute(
        "select firm_id, reason, detail from rejected_firms where source_file = ? and row_number = ?",
        [file, row_number]).fetchall()
    accepted = con.execute(
        "select firm_id, null, null from int_firms_accepted where source_file = ? and source_row = ?",
        [file, row_number]).fetchall()
    assert len(rejected) + len(accepted) == 1, f"{file} row {row_number} is in {len(rejected) + len(accepted)} places"
    return (rejected or accepted)[0]


@pytest.mark.parametrize("case", [*ROW_CASES, PARQUET_CASE], ids=lambda c: c.name)
def test_row_case_outcome(row_corpus, case):
    con, outcome = row_corpus
    names = {e.firm_id for e in case.expected}
    mine = [(n, e) for n, e in outcome[case.file] if e.firm_id in names]
    assert len(mine) == len(case.expected)
    for row_number, expected in mine:
        got = _outcome_of(con, case.file, row_number)
        assert got == (expected.firm_id, expected.reason, expected.detail), f"{case.file} row {row_number}"


def test_no_row_silently_lost(row_corpus):
    """raw = accepted + rejected per file, against the rows the corpus wrote (counted here, not by dbt)."""
    con, outcome = row_corpus
    written = {ROW_FILE: 6 + sum(len(c.rows) for c in ROW_CASES), PARQUET_FILE: 8 + len(PARQUET_CASE.rows)}
    reconciliation = {row[0]: row[1:] for row in con.execute(
        "select source_file, raw_rows, accepted_rows, rejected_rows from ingest_reconciliation").fetchall()}
    assert set(reconciliation) == set(written)
    for file, n_rows in written.items():
        n_rejected = sum(1 for _, e in outcome[file] if e.reason is not None)
        assert reconciliation[file] == (n_rows, n_rows - n_rejected, n_rejected)
        seen = [r[0] for r in con.execute(
            "select row_number from rejected_firms where source_file = ? union all "
            "select source_row from int_firms_accepted where source_file = ?", [file, file]).fetchall()]
        assert sorted(seen) == list(range(1, n_rows + 1))


def test_good_rows_of_the_corpus_are_untouched(row_corpus):
    """The tiny census rows around the bad ones are all accepted, with their values."""
    con, _ = row_corpus
    got = con.execute("select firm_id, output, total_assets from int_firms_accepted "
                      "where source_file = ? and source_row <= 6 order by source_row", [ROW_FILE]).fetchall()
    assert got == [("A001", 100.0, 50.0), ("A002", 300.0, 150.0), ("A003", 50.0, 20.0),
                   ("A004", 70.0, 30.0), ("A005", 500.0, 900.0), ("A006", 40.0, 10.0)]


# ----------------------------------------------------------------------------------------- file cases

@pytest.fixture(scope="module")
def case_root(tmp_path_factory):
    # One set of folders for every case, so that dbt's vars stay the same and its partial parse is reused.
    return tmp_path_factory.mktemp("file_cases")


def _build_case(case, root):
    raw, reference = root / "raw", root / "reference"
    for folder in (raw, reference):
        shutil.rmtree(folder, ignore_errors=True)
    write_file_case(case, raw, reference)
    warehouse = root / "warehouse.duckdb"
    warehouse.unlink(missing_ok=True)
    return warehouse, lambda: build_warehouse(raw, reference, warehouse, extra_vars=case.extra_vars or None,
                                              target_path=root / "target", select=INGEST)


ERROR_CASES = [c for c in FILE_CASES if c.expected_error]
# Cases also run through a whole dbt build (seconds each): the rest are held at the landing function, which
# raises the sentence that build_warehouse passes on unchanged for every InputFileError.
BUILT_ERROR_CASES = ("missing_column", "gbk_declared_utf8", "truncated_parquet", "year_without_vintage")
PROJECT_VINTAGES = {"1995": "1994", "2004": "2002"}  # dbt_project.yml var industry_vintage_by_year


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda c: c.name)
def test_broken_file_raises_one_sentence_at_landing(case, tmp_path):
    from cluster_finance.ingest import InputFileError, land_census_firms

    write_file_case(case, tmp_path / "raw", tmp_path / "reference")
    with pytest.raises(InputFileError) as info:
        land_census_firms(tmp_path / "raw", case.extra_vars.get("csv_encoding", "auto"), PROJECT_VINTAGES)
    assert re.fullmatch(case.expected_error, str(info.value)), str(info.value)


@pytest.mark.parametrize("case", [c for c in ERROR_CASES if c.name in BUILT_ERROR_CASES], ids=lambda c: c.name)
def test_broken_file_stops_build_with_one_sentence(case, case_root):
    warehouse, build = _build_case(case, case_root)
    with pytest.raises(BuildError) as info:
        build()
    message = str(info.value)
    assert re.fullmatch(case.expected_error, message), message
    assert "\n" not in message and "Traceback" not in message
    assert not warehouse.exists()
    assert not warehouse.with_name(warehouse.name + ".new").exists()


def test_extra_columns_are_ignored(case_root):
    case = next(c for c in FILE_CASES if c.name == "extra_column")
    warehouse, build = _build_case(case, case_root)
    build()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select raw_rows, accepted_rows, rejected_rows from ingest_reconciliation "
                           "where census_year = 1995").fetchall() == [(6, 6, 0)]
        columns = {r[0] for r in con.execute("describe land_census_firms").fetchall()}
    assert not {"remarks", "bonus_share"} & columns


def test_gbk_file_read_with_auto_encoding(case_root):
    case = next(c for c in FILE_CASES if c.name == "gbk_auto")
    warehouse, build = _build_case(case, case_root)
    build()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = dict(con.execute("select firm_id, firm_name from int_firms_accepted where census_year = 1995").fetchall())
    assert len(names) == 6 and names["A003"] == "北京第三厂"


def test_broken_file_prints_no_traceback(case_root, capfd):
    case = next(c for c in FILE_CASES if c.name == "empty_file")
    _, build = _build_case(case, case_root)
    with pytest.raises(BuildError):
        build()
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
