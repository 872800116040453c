"""A corpus of bad inputs, each written programmatically into a temporary folder (no binary files here).

Two kinds of case:
- RowCase: rows that break a row rule of the contract. They are appended to the tiny census of
  tests/tiny_inputs.py; the build succeeds and each row must land in rejected_firms with an exact reason
  and detail, every other row in int_firms_accepted (raw = accepted + rejected, nothing silently lost).
  All row cases go into one build (`write_row_corpus`) because a dbt build costs seconds.
- FileCase: a file that cannot be used as a whole. The build must stop with one clear sentence naming the
  file and the problem (`expected_error`, a regular expression matched against the whole message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from tiny_inputs import FIRM_COLUMNS, census_frames, firm, reference_frames, write_tiny_inputs

ROW_FILE = "firms_1995.csv"        # text-level bad values: written as CSV
PARQUET_FILE = "firms_2004.parquet"  # binary NaN and infinity: written as float columns in Parquet


# ------------------------------------------------------------------------------------------ row cases

@dataclass(frozen=True)
class Expected:
    firm_id: str
    reason: str | None  # None: the row must be accepted
    detail: str | None = None


@dataclass(frozen=True)
class RowCase:
    name: str
    rows: tuple[dict, ...]
    expected: tuple[Expected, ...]
    file: str = ROW_FILE


def _row(firm_id, county="110101", industry="1311", **overrides) -> dict:
    """A good 1995 firm (values as text, as a CSV holds them) with some cells overridden."""
    row = firm(firm_id, county, industry, 100.0, 10, 50.0)
    row = {k: ("" if v is None else str(v)) for k, v in row.items()}
    row.update({k: ("" if v is None else v) for k, v in overrides.items()})
    return row


ROW_CASES: tuple[RowCase, ...] = (
    RowCase("wrong_type_text_in_number",
            (_row("T001", output="12 thousand"), _row("T002", employment="12.5")),
            (Expected("T001", "unparseable_number", "not a finite number: output"),
             Expected("T002", "unparseable_number", "not a finite number: employment"))),
    RowCase("nan_and_infinity_as_text",
            (_row("N001", output="NaN"), _row("N002", total_assets="inf"), _row("N003", sales="-Infinity"),
             _row("N004", total_debt="1e400")),
            (Expected("N001", "unparseable_number", "not a finite number: output"),
             Expected("N002", "unparseable_number", "not a finite number: total_assets"),
             Expected("N003", "unparseable_number", "not a finite number: sales"),
             Expected("N004", "unparseable_number", "not a finite number: total_debt"))),
    RowCase("missing_required_value",
            (_row("M001", output=""), _row("", county="110102")),
            (Expected("M001", "missing_value", "missing: output"),
             Expected(None, "missing_value", "missing: firm_id"))),
    RowCase("duplicate_firm_ids",
            (_row("D001"), _row("D001", county="110102"), _row("D002"), _row("D002", total_assets="-1")),
            # Both copies of D001 are rejected (which one is right cannot be told); a copy of D002 that
            # breaks another rule is rejected for that rule, and the other copy is then unique.
            (Expected("D001", "duplicate_firm_id", "firm_id D001 appears 2 times in 1995"),
             Expected("D001", "duplicate_firm_id", "firm_id D001 appears 2 times in 1995"),
             Expected("D002", None),
             Expected("D002", "negative_value", "negative: total_assets"))),
    RowCase("negative_assets",
            (_row("G001", total_assets="-50"), _row("G002", output="-1", employment="-3")),
            (Expected("G001", "negative_value", "negative: total_assets"),
             Expected("G002", "negative_value", "negative: output,employment"))),
    RowCase("shares_above_one",
            (_row("S001", state_share="1.5", collective_share="0", private_share="0", hmt_share="0",
                  foreign_share="0"),
             _row("S002", state_share="0.6", collective_share="0.6", private_share="0", hmt_share="0",
                  foreign_share="0"),
             # within the 0.01 tolerance of the contract: accepted
             _row("S003", state_share="0.5", collective_share="0.505", private_share="0", hmt_share="0",
                  foreign_share="0")),
            (Expected("S001", "share_out_of_range", "a share outside [0,1]"),
             Expected("S002", "shares_sum_above_one", "shares sum to 1.2"),
             Expected("S003", None))),
    RowCase("unknown_county_code",
            (_row("C001", county="139999"), _row("C002", county="11010")),
            (Expected("C001", "unknown_county_code", "county_code 139999 is not in regions for 1995"),
             Expected("C002", "bad_county_code", "county_code 11010 is not 6 digits"))),
    RowCase("industry_code_not_in_concordance",
            (_row("I001", industry="1399"), _row("I002", industry="13A1")),
            (Expected("I001", "unknown_industry_code",
                      "industry_code 1399 is not a CIC 1994 code of industry_isic or industry_concordance"),
             Expected("I002", "bad_industry_code", "industry_code 13A1 is not 4 digits"))),
)

# Parquet stores real IEEE NaN and infinities (not text): they must be rejected like the text ones.
PARQUET_CASE = RowCase(
    "nan_and_infinity_in_parquet",
    (dict(firm_id="P001", output=float("nan")), dict(firm_id="P002", total_assets=float("inf")),
     dict(firm_id="P003", export_value=float("-inf"))),
    (Expected("P001", "unparseable_number", "not a finite number: output"),
     Expected("P002", "unparseable_number", "not a finite number: total_assets"),
     Expected("P003", "unparseable_number", "not a finite number: export_value")),
    file=PARQUET_FILE,
)


def _write_parquet_keeping_nan(frame: pd.DataFrame, path: Path) -> None:
    """pandas writes a float NaN as a Parquet NULL; a real IEEE NaN needs from_pandas=False."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name in ("output", "total_assets", "export_value"):
        values = pa.array(frame[name].to_numpy(), pa.float64(), from_pandas=False)
        table = table.set_column(table.column_names.index(name), name, values)
    pq.write_table(table, path)


def _parquet_2004(extra: tuple[dict, ...]) -> pd.DataFrame:
    base = census_frames()[2004]
    rows = []
    for overrides in extra:
        row = firm(overrides["firm_id"], "110101", "1311", 100.0, 10, 50.0)
        row.update(overrides)
        rows.append(row)
    frame = pd.concat([base, pd.DataFrame(rows, columns=FIRM_COLUMNS)], ignore_index=True)
    for column in ("output", "total_assets", "export_value"):
        frame[column] = frame[column].astype("float64")
    return frame


def write_row_corpus(raw_dir: Path, reference_dir: Path, cases=ROW_CASES, parquet_case=PARQUET_CASE):
    """The tiny census with every row case appended; returns {file: [(row_number, Expected), ...]}.

    Row numbers count data rows from 1, as rejected_firms does.
    """
    write_tiny_inputs(raw_dir, reference_dir)
    base_1995 = census_frames()[1995].astype(object).where(lambda f: f.notna(), "").astype(str)
    extra = [row for case in cases for row in case.rows]
    frame = pd.concat([base_1995, pd.DataFrame(extra, columns=FIRM_COLUMNS)], ignore_index=True)
    frame.to_csv(raw_dir / ROW_FILE, index=False, encoding="utf-8")
    outcome = {ROW_FILE: [], PARQUET_FILE: []}
    number = len(base_1995)
    for case in cases:
        for expected in case.expected:
            number += 1
            outcome[ROW_FILE].append((number, expected))
    (raw_dir / "firms_2004.csv").unlink()
    if parquet_case is not None:
        _write_parquet_keeping_nan(_parquet_2004(parquet_case.rows), raw_dir / PARQUET_FILE)
        number = len(census_frames()[2004])
        for expected in parquet_case.expected:
            number += 1
            outcome[PARQUET_FILE].append((number, expected))
    else:
        census_frames()[2004].to_parquet(raw_dir / PARQUET_FILE, index=False)
    return outcome


# ----------------------------------------------------------------------------------------- file cases

@dataclass(frozen=True)
class FileCase:
    name: str
    write: Callable[[Path, Path], None]  # (raw_dir, reference_dir) -> None, after the tiny inputs exist
    expected_error: str | None           # regex for the whole BuildError message; None: the build succeeds
    extra_vars: dict = field(default_factory=dict)


def _rewrite_1995(raw_dir: Path, change: Callable[[pd.DataFrame], pd.DataFrame], encoding="utf-8"):
    frame = change(census_frames()[1995])
    frame.to_csv(raw_dir / "firms_1995.csv", index=False, encoding=encoding)


def _missing_column(raw_dir, _ref):
    _rewrite_1995(raw_dir, lambda f: f.drop(columns=["total_assets"]))


def _extra_column(raw_dir, _ref):
    _rewrite_1995(raw_dir, lambda f: f.assign(remarks="checked by hand", bonus_share=7.0))


def _empty_file(raw_dir, _ref):
    (raw_dir / "firms_1995.csv").write_bytes(b"")


def _header_only(raw_dir, _ref):
    (raw_dir / "firms_1995.csv").write_text(",".join(FIRM_COLUMNS) + "\n", encoding="utf-8")


def _gbk(raw_dir, _ref):
    # tiny census firm A003 is named 北京第三厂: in GBK those bytes are not valid UTF-8
    _rewrite_1995(raw_dir, lambda f: f, encoding="gbk")


def _year_without_vintage(raw_dir, _ref):
    (raw_dir / "firms_1995.csv").rename(raw_dir / "firms_1990.csv")


def _wrong_year_column(raw_dir, _ref):
    _rewrite_1995(raw_dir, lambda f: f.assign(year=1996))


def _truncated_parquet(raw_dir, _ref):
    (raw_dir / "firms_1995.csv").unlink()
    path = raw_dir / "firms_1995.parquet"
    census_frames()[1995].to_parquet(path, index=False)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _unknown_name(raw_dir, _ref):
    (raw_dir / "firms_1995.csv").rename(raw_dir / "firms_1995_final.csv")


def _two_files_one_year(raw_dir, _ref):
    census_frames()[1995].to_parquet(raw_dir / "firms_1995.parquet", index=False)


def _no_census_file(raw_dir, _ref):
    for path in raw_dir.glob("firms_*"):
        path.unlink()


FILE_CASES: tuple[FileCase, ...] = (
    FileCase("missing_column", _missing_column,
             re.escape("Input error in firms_1995.csv: required column 'total_assets' is missing")),
    FileCase("empty_file", _empty_file, re.escape("Input error in firms_1995.csv: the file is empty (0 bytes)")),
    FileCase("header_only", _header_only,
             re.escape("Input error in firms_1995.csv: the file has a header but no data rows")),
    FileCase("gbk_declared_utf8", _gbk,
             re.escape("Input error in firms_1995.csv: the file is not valid UTF-8 (byte ") + r"\d+"
             + re.escape(") although var csv_encoding says utf-8; Chinese statistical files are often GBK: "
                         "set csv_encoding to gbk or auto"),
             extra_vars={"csv_encoding": "utf-8"}),
    FileCase("year_without_vintage", _year_without_vintage,
             re.escape("Input error in firms_1990.csv: census year 1990 has no industry-code vintage; "
                       "add it to var industry_vintage_by_year")),
    FileCase("wrong_year_column", _wrong_year_column,
             re.escape("Input error in firms_1995.csv: its year column holds 1996 but the file name says 1995")),
    FileCase("truncated_parquet", _truncated_parquet,
             re.escape("Input error in firms_1995.parquet: the Parquet file cannot be read (") + r".+\)"),
    FileCase("unrecognised_census_file_name", _unknown_name,
             re.escape("Input error in firms_1995_final.csv: cannot tell the census year or format from the "
                       "name; expected firms_<year>.parquet|csv|dta")),
    FileCase("two_files_one_year", _two_files_one_year,
             re.escape("Input error in firms_1995.parquet: a second census file for 1995 (also firms_1995.csv); "
                       "keep one")),
    # the message names the raw_dir folder (called raw wherever the corpus is written)
    FileCase("no_census_file", _no_census_file,
             re.escape("Input error in raw: raw_dir holds no census file named firms_<year>.parquet|csv|dta")),
    # Extra columns are kept out and ignored (the contract): the build succeeds.
    FileCase("extra_column", _extra_column, None),
    # The same GBK file with csv_encoding auto (the default) is read correctly.
    FileCase("gbk_auto", _gbk, None),
)


def write_file_case(case: FileCase, raw_dir: Path, reference_dir: Path) -> None:
    write_tiny_inputs(raw_dir, reference_dir)
    case.write(raw_dir, reference_dir)


__all__ = ["ROW_CASES", "PARQUET_CASE", "FILE_CASES", "Expected", "RowCase", "FileCase",
           "write_row_corpus", "write_file_case", "reference_frames"]
