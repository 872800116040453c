"""A tiny census and reference set in the input contract, small enough to work out by hand.

Two census years, four counties (two of which merge between 1995 and 2004), industries of two vintages
with a split in the concordance, and a utility that maps to no traded product.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FIRM_COLUMNS = [
    "firm_id", "firm_name", "county_code", "industry_code", "founding_year", "output", "sales",
    "export_value", "value_added", "value_added_income", "employment", "total_assets", "fixed_assets",
    "total_debt", "accounts_receivable", "accounts_payable", "state_share", "collective_share",
    "private_share", "hmt_share", "foreign_share",
]


def firm(firm_id, county, industry, output, employment, assets, **more):
    row = dict.fromkeys(FIRM_COLUMNS)
    row.update(firm_id=firm_id, firm_name=f"Firm {firm_id}", county_code=county, industry_code=industry,
               founding_year=1990, output=output, sales=output * 0.9, export_value=0.0,
               value_added=output * 0.3, value_added_income=output * 0.28, employment=employment,
               total_assets=assets, fixed_assets=assets * 0.4, total_debt=assets * 0.6,
               accounts_receivable=output * 0.2, accounts_payable=assets * 0.1, state_share=0.2,
               collective_share=0.1, private_share=0.5, hmt_share=0.1, foreign_share=0.1)
    row.update(more)
    return row


def census_frames() -> dict[int, pd.DataFrame]:
    firms_1995 = [
        firm("A001", "110101", "1311", 100.0, 10, 50.0),
        firm("A002", "110101", "1312", 300.0, 30, 150.0),
        firm("A003", "110102", "1311", 50.0, 5, 20.0, firm_name="北京第三厂"),
        firm("A004", "110103", "1312", 70.0, 7, 30.0),
        firm("A005", "110103", "4410", 500.0, 20, 900.0),
        firm("A006", "120101", "1311", 40.0, 4, 10.0),
    ]
    firms_2004 = [
        firm("A001", "110101", "1311", 150.0, 12, 60.0),
        firm("A002", "110101", "1320", 200.0, 25, 140.0),
        firm("B001", "110101", "1330", 120.0, 9, 40.0),
        firm("A003", "110105", "1311", 80.0, 6, 25.0, firm_name="北京第三厂"),
        firm("A004", "110105", "1330", 90.0, 8, 35.0),
        firm("B002", "110105", "4411", 600.0, 25, 1000.0),
        firm("A006", "120101", "1320", 60.0, 5, 15.0),
        firm("B003", "120101", "1330", 30.0, 3, 12.0),
    ]
    return {1995: pd.DataFrame(firms_1995, columns=FIRM_COLUMNS),
            2004: pd.DataFrame(firms_2004, columns=FIRM_COLUMNS)}


def reference_frames() -> dict[str, pd.DataFrame]:
    trade = pd.DataFrame(
        [("aaa", "0001", 10.0), ("aaa", "0002", 5.0), ("aaa", "0003", 1.0), ("aaa", "0004", 0.0),
         ("bbb", "0001", 2.0), ("bbb", "0002", 8.0), ("bbb", "0003", 6.0), ("bbb", "0004", 1.0),
         ("ccc", "0001", 1.0), ("ccc", "0002", 1.0), ("ccc", "0003", 2.0), ("ccc", "0004", 9.0)],
        columns=["country", "product", "value"])
    isic_sitc = pd.DataFrame([("1000", "0001"), ("1000", "0002"), ("2000", "0002"), ("2000", "0003"),
                              ("3000", "0004")], columns=["isic_code", "sitc_code"])
    industry_isic = pd.DataFrame(
        [("1994", "1311", "1000"), ("1994", "1312", "2000"), ("1994", "1312", "3000"), ("1994", "4410", "4000"),
         ("2002", "1311", "1000"), ("2002", "1320", "2000"), ("2002", "1330", "3000"), ("2002", "4411", "4000")],
        columns=["vintage", "industry_code", "isic_code"])
    concordance = pd.DataFrame([("1311", "1311"), ("1312", "1320"), ("1312", "1330"), ("4410", "4411")],
                               columns=["code_1994", "code_2002"])
    crosswalk = pd.DataFrame([("110102", 1995, "110105", 2004), ("110103", 1995, "110105", 2004)],
                             columns=["code_from", "year_from", "code_to", "year_to"])
    regions = pd.DataFrame(
        [(c, 1995) for c in ("110101", "110102", "110103", "120101")]
        + [(c, 2004) for c in ("110101", "110105", "120101")], columns=["county_code", "year"])
    yearbook = pd.DataFrame([(1995, 5.526), (2004, 18.722)], columns=["year", "gross_output_trillion_rmb"])
    return {"world_trade": trade, "isic_sitc": isic_sitc, "industry_isic": industry_isic,
            "industry_concordance": concordance, "county_crosswalk": crosswalk, "regions": regions,
            "yearbook_totals": yearbook}


def write_frame(frame: pd.DataFrame, path: Path, fmt: str) -> Path:
    path = path.with_suffix("." + fmt)
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "csv":
        frame.to_csv(path, index=False, encoding="utf-8")
    elif fmt == "gbk.csv":
        path = path.with_name(path.name.replace(".gbk.csv", ".csv"))
        frame.to_csv(path, index=False, encoding="gbk")
    elif fmt == "dta":
        frame.to_stata(path, write_index=False, version=118)
    else:
        raise ValueError(fmt)
    return path


def write_tiny_inputs(raw_dir: Path, reference_dir: Path, fmt: str = "csv",
                      census: dict[int, pd.DataFrame] | None = None) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    reference_dir.mkdir(parents=True, exist_ok=True)
    for year, frame in (census or census_frames()).items():
        write_frame(frame, raw_dir / f"firms_{year}", fmt)
    for name, frame in reference_frames().items():
        frame.to_csv(reference_dir / f"{name}.csv", index=False)
