"""The input contract: every format lands identically; rejects are counted; broken files stop cleanly."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from cluster_finance.ingest import InputFileError, land_census_firms, land_reference
from cluster_finance.warehouse import BuildError, build_warehouse
from tiny_inputs import census_frames, write_tiny_inputs

FORMATS = ["parquet", "csv", "gbk.csv", "dta"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_lands_the_same_text(tmp_path, fmt):
    """Parquet, UTF-8 CSV, GBK CSV and Stata give identical landed rows (the CSV is the yardstick)."""
    write_tiny_inputs(tmp_path / "csv" / "raw", tmp_path / "csv" / "ref", "csv")
    write_tiny_inputs(tmp_path / fmt / "raw", tmp_path / fmt / "ref", fmt)
    expected = land_census_firms(tmp_path / "csv" / "raw").drop_columns(["source_file"]).to_pandas()
    landed = land_census_firms(tmp_path / fmt / "raw").drop_columns(["source_file"]).to_pandas()
    numeric = ["output", "total_assets", "sales", "employment", "founding_year", "private_share"]
    for column in numeric:  # text may differ in spelling (1 vs 1.0); the numbers may not
        assert pd.to_numeric(landed[column]).tolist() == pd.to_numeric(expected[column]).tolist(), column
    for column in ["firm_id", "firm_name", "county_code", "industry_code", "census_year", "source_row",
                   "industry_vintage"]:
        assert landed[column].tolist() == expected[column].tolist(), column
    assert "北京第三厂" in set(landed["firm_name"])


def test_formats_give_identical_staging_rows(tmp_path):
    """The whole chain to stg_census_firms and int_firms_accepted agrees across the four formats."""
    tables = {}
    for fmt in FORMATS:
        root = tmp_path / fmt.replace(".", "_")
        write_tiny_inputs(root / "raw", root / "ref", fmt)
        result = build_warehouse(root / "raw", root / "ref", root / "wh.duckdb", target_path=root / "target",
                                 select=["+int_firms_accepted"])
        with duckdb.connect(str(result.warehouse), read_only=True) as con:
            tables[fmt] = con.sql("select * exclude (source_file) from int_firms_accepted "
                                  "order by census_year, source_row").df()
    for fmt in FORMATS[1:]:
        pd.testing.assert_frame_equal(tables[fmt], tables["parquet"], check_dtype=True)
    assert len(tables["parquet"]) == sum(len(f) for f in census_frames().values())


def test_codes_stored_as_numbers_get_their_leading_zeros(tmp_path):
    frame = census_frames()[1995].assign(industry_code=lambda d: "0" + d.industry_code.str[1:])
    frame["industry_code"] = frame["industry_code"].astype(int)
    (tmp_path / "raw").mkdir()
    frame.to_parquet(tmp_path / "raw" / "firms_1995.parquet")
    landed = land_census_firms(tmp_path / "raw").to_pandas()
    assert landed["industry_code"].str.len().eq(4).all()
    assert landed["industry_code"].str.startswith("0").all()


def test_rejects_reconcile_with_raw_rows(tmp_path):
    """A few bad rows: each lands in rejected_firms with its reason; accepted + rejected = raw per file."""
    frames = census_frames()
    bad = frames[1995].astype({"output": object})
    bad.loc[0, "output"] = "abc"
    bad.loc[1, "total_assets"] = -5.0
    bad.loc[2, "county_code"] = "11010"
    bad.loc[3, "private_share"] = 1.5
    frames[1995] = bad
    write_tiny_inputs(tmp_path / "raw", tmp_path / "ref", "csv", census=frames)
    result = build_warehouse(tmp_path / "raw", tmp_path / "ref", tmp_path / "wh.duckdb",
                             target_path=tmp_path / "target")
    with duckdb.connect(str(result.warehouse), read_only=True) as con:
        rejects = con.sql("select row_number, reason from rejected_firms order by row_number").fetchall()
        recon = con.sql("select source_file, raw_rows, accepted_rows, rejected_rows from ingest_reconciliation "
                        "order by source_file").fetchall()
    assert rejects == [(1, "unparseable_number"), (2, "negative_value"), (3, "bad_county_code"),
                       (4, "share_out_of_range")]
    assert recon == [("firms_1995.csv", 6, 2, 4), ("firms_2004.csv", 8, 8, 0)]


def test_missing_required_column_is_one_clear_error(tmp_path):
    frames = census_frames()
    frames[2004] = frames[2004].drop(columns=["county_code"])
    write_tiny_inputs(tmp_path / "raw", tmp_path / "ref", "csv", census=frames)
    with pytest.raises(InputFileError, match=r"firms_2004\.csv: required column 'county_code' is missing"):
        land_census_firms(tmp_path / "raw")
    with pytest.raises(BuildError) as err:
        build_warehouse(tmp_path / "raw", tmp_path / "ref", tmp_path / "wh.duckdb", target_path=tmp_path / "t",
                        select=["land_census_firms"])
    assert str(err.value) == "Input error in firms_2004.csv: required column 'county_code' is missing"
    assert not (tmp_path / "wh.duckdb").exists()


def test_absent_reference_tables_fall_back_to_the_shipped_ones(tmp_path, monkeypatch):
    """SPEC section 9: a table the user does not bring is read from seeds/reference, one table at a time."""
    write_tiny_inputs(tmp_path / "raw", tmp_path / "ref", "csv")
    assert land_reference(tmp_path / "ref", "regions").num_rows == 7          # the user's own table
    (tmp_path / "ref" / "regions.csv").unlink()
    shipped = land_reference(tmp_path / "ref", "regions")
    assert shipped.num_rows == 5737
    assert set(shipped.column("source_file").to_pylist()) == {"seeds/reference/regions.parquet"}
    assert land_reference(tmp_path / "ref", "industry_concordance").num_rows == 4   # user's, not shipped
    # a table neither the user nor the project has: optional lands empty, required stops
    (tmp_path / "ref" / "yearbook_totals.csv").unlink()
    assert land_reference(tmp_path / "ref", "yearbook_totals").num_rows == 0
    (tmp_path / "ref" / "world_trade.csv").unlink()
    monkeypatch.setattr("cluster_finance.reference.SHIPPED_DIR", tmp_path / "nowhere")
    with pytest.raises(InputFileError, match="has no world_trade"):
        land_reference(tmp_path / "ref", "world_trade")


@pytest.mark.parametrize("table, frame, message", [
    ("county_crosswalk", pd.DataFrame({"code_from": ["110102"], "year_from": [1995], "code_to": ["11010"],
                                       "year_to": [2004]}),
     "Input error in county_crosswalk.csv: reference table county_crosswalk: column code_to holds '11010', "
     "not a 6-digit code"),
    ("isic_sitc", pd.DataFrame({"isic_code": ["1000"], "sitc_code": ["A12"]}),
     "Input error in isic_sitc.csv: reference table isic_sitc: column sitc_code holds 'A12', not a 4-digit code"),
    ("world_trade", pd.DataFrame({"country": ["aaa"], "value": [1.0]}),
     "Input error in world_trade.csv: required column 'product' is missing"),
])
def test_a_bad_replacement_table_stops_the_build_in_one_sentence(tmp_path, table, frame, message):
    write_tiny_inputs(tmp_path / "raw", tmp_path / "ref", "csv")
    frame.to_csv(tmp_path / "ref" / f"{table}.csv", index=False)
    with pytest.raises(InputFileError) as err:
        land_reference(tmp_path / "ref", table)
    assert str(err.value) == message
    with pytest.raises(BuildError) as err:
        build_warehouse(tmp_path / "raw", tmp_path / "ref", tmp_path / "wh.duckdb", target_path=tmp_path / "t",
                        select=[f"land_{table}"])
    assert str(err.value) == message
    assert not (tmp_path / "wh.duckdb").exists()
