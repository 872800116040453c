"""A small census with named regions, for the dimension marts, the dbt analyses and the query command.

The firms and reference tables are those of tests/test_region_proximity.py (3 provinces, 5 prefectures,
10 counties a year; 110102 + 110103 merge into 110105, 110104 splits into 110106 + 110107), plus two
rejected rows; the regions table carries names, some of which change between the censuses, so that the
rule "a harmonised county is named as its label in the latest year" shows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from test_region_proximity import COUNTIES, small_census, small_reference

# (year, code) -> (county name, prefecture name, province name); None: the regions table names none.
NAMES = {
    (1995, "110101"): ("东城区旧名", "北京市辖区", "北京市"),
    (2004, "110101"): ("东城区", "北京市辖区", "北京市"),
    (1995, "110102"): ("西城区", "北京市辖区", "北京市"),
    (1995, "110103"): ("崇文区", "北京市辖区", "北京市"),
    (1995, "110104"): ("宣武区", "北京市辖区", "北京市"),
    (2004, "110105"): ("朝阳区", "北京市辖区", "北京市"),
    (2004, "110106"): ("丰台区", "北京市辖区", "北京市"),
    (2004, "110107"): ("石景山区", "北京市辖区", "北京市"),
    (1995, "110201"): ("密云县", "北京县", "北京市"),
    (2004, "110201"): ("密云县", "北京县", "北京市"),
    (1995, "110202"): ("延庆县", "北京县", "北京市"),
    (2004, "110202"): ("延庆县", "北京县", "北京市"),
    (1995, "120101"): ("和平区", None, "天津市"),
    (2004, "120101"): ("和平区", None, "天津市"),
    (1995, "120102"): ("河东区", None, "天津市"),
    (2004, "120102"): ("河东区", None, "天津市"),
    (1995, "120201"): ("宁河县", None, "天津市"),
    (2004, "120201"): (None, None, None),
    # province 13 named only in 1995; its prefecture only by the prefecture-level unit 130100 (2004)
    (1995, "130101"): ("长安区", None, "河北省"),
    (2004, "130101"): ("长安区", None, None),
    (2004, "130100"): ("石家庄市", None, None),
}

# Rows that break a rule: they land in rejected_firms (for the rejected-rows analysis).
REJECTED_1995 = [
    {"firm_id": "R001", "county_code": "110101", "industry_code": "1311", "output": -5.0, "employment": 3,
     "total_assets": 10.0},
    {"firm_id": "R002", "county_code": "119999", "industry_code": "1311", "output": 5.0, "employment": 3,
     "total_assets": 10.0},
]


def regions_frame() -> pd.DataFrame:
    rows = [(code, year) for year, codes in COUNTIES.items() for code in codes] + [("130100", 2004)]
    return pd.DataFrame(
        [(code, year, *NAMES[(year, code)]) for code, year in rows],
        columns=["county_code", "year", "county_name", "prefecture_name", "province_name"])


def write_named_census(raw_dir: Path, reference_dir: Path) -> dict[int, pd.DataFrame]:
    """Write the census and reference files; returns the census frames as written (with the bad rows)."""
    census = small_census()
    census[1995] = pd.concat([census[1995], pd.DataFrame(REJECTED_1995)], ignore_index=True)
    raw_dir.mkdir(parents=True, exist_ok=True)
    for year, frame in census.items():
        frame.to_csv(raw_dir / f"firms_{year}.csv", index=False)
    small_reference(reference_dir)
    regions_frame().to_csv(reference_dir / "regions.csv", index=False)
    return census
