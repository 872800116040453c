"""The real reference tables that ship with the project (SPEC section 9), in `seeds/reference/`.

They are compact Parquet copies of public, openly licensed tables (PROVENANCE.md beside them says where
each comes from and under which licence), so that a fresh machine computes the real product space and
harmonises real county codes with no download. The build reads a table from the user's `reference_dir`
when it is there, else the shipped copy (`ingest.land_reference`): a user's table replaces the shipped
one table by table.

`rebuild(shared_data)` remakes the shipped files from the working copies (in the development
environment `../shared/data`); it is run by hand when those change, never by the build.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "seeds" / "reference"

# Shipped table -> what it holds. The names of the input contract (SPEC section 2), plus the CIC list.
SHIPPED_TABLES = {
    "world_trade": "world exports by SITC Rev.2 four-digit product, average of 1998-2000 (226 x 785)",
    "isic_sitc": "ISIC Rev.3 -> SITC Rev.2 four-digit, via SITC Rev.3 (Eurostat + UN correlation)",
    "regions": "GB/T 2260 county-level units at the end of 1995 and of 2004, with prefecture and province",
    "county_crosswalk": "1995 -> 2004 county links that carry a unit on (identity and successor links)",
    "cic_codes": "the GB/T 4754-2002 (CIC 2002) code list: sections, divisions, groups and classes",
    "isic_codes": "the ISIC Rev.3 code list with English descriptions, every level",
}


def shipped_path(table: str) -> Path | None:
    """The shipped Parquet file of a reference table, or None when the project ships none."""
    path = SHIPPED_DIR / f"{table}.parquet"
    return path if path.is_file() else None


def read_shipped(table: str) -> pd.DataFrame:
    path = shipped_path(table)
    if path is None:
        raise FileNotFoundError(f"the project ships no reference table {table} (looked in {SHIPPED_DIR})")
    return pd.read_parquet(path)


# ------------------------------------------------------------------------------------- rebuilding


def _province_names(history: pd.DataFrame) -> pd.Series:
    provinces = history[history["代码"].str.endswith("0000")]
    return provinces.drop_duplicates("代码", keep="last").set_index("代码")["名称"].rename(lambda c: c[:2])


def _regions(counties: Path) -> pd.DataFrame:
    history = pd.read_csv(counties / "areacodes_history_result.csv", dtype=str)
    province_names = _province_names(history)
    frames = []
    for year in (1995, 2004):
        units = pd.read_csv(counties / f"county_units_{year}.csv", dtype=str)
        frames.append(pd.DataFrame({
            "county_code": units["code"],
            "year": year,
            "county_name": units["name"],
            "unit_level": units["level"],
            # GB/T 2260: the prefecture is the first four digits, the province the first two. The source
            # leaves prefecture names empty for municipalities' districts and for units directly under a
            # province; those stay empty.
            "prefecture_code": units["code"].str[:4],
            "prefecture_name": units["prefecture_name"],
            "province_code": units["code"].str[:2],
            "province_name": units["code"].str[:2].map(province_names),
        }))
    return pd.concat(frames, ignore_index=True)


def _crosswalk(counties: Path) -> pd.DataFrame:
    links = pd.read_csv(counties / "county_xwalk_1995_2004.csv", dtype=str)
    # Partial transfers are left out: both counties go on existing, and following them would chain
    # unrelated counties into one unit (README, "Real county crosswalk").
    links = links[links["link_type"].isin(["identity", "successor"])]
    return pd.DataFrame({
        "code_from": links["code_1995"], "year_from": 1995,
        "code_to": links["code_2004"], "year_to": 2004,
        "link_type": links["link_type"],
    }).sort_values(["code_from", "code_to"]).reset_index(drop=True)


def rebuild(shared_data: Path) -> dict[str, int]:
    """Write the shipped Parquet tables from the working copies; returns row counts by table."""
    shared_data = Path(shared_data)
    trade = pd.read_csv(shared_data / "trade" / "world_trade_sitc4_rev2_avg_1998_2000.csv",
                        dtype={"country": str, "product": str, "value": float})
    isic_sitc = pd.read_csv(shared_data / "concordance" / "isic3_sitc2_4d_via_sitc3.csv", dtype=str)
    isic_sitc = (isic_sitc.rename(columns={"ISIC3_4d": "isic_code", "SITC2_4d": "sitc_code"})
                 [["isic_code", "sitc_code"]].drop_duplicates().sort_values(["isic_code", "sitc_code"]))
    cic = pd.read_csv(shared_data / "cic" / "cic2002_codes.csv", dtype=str, keep_default_na=False)
    cic["implied"] = cic["implied"].astype(int)
    isic = pd.read_csv(shared_data / "concordance" / "isic3_desc.csv", dtype=str, keep_default_na=False)
    tables = {
        "world_trade": trade.sort_values(["country", "product"]).reset_index(drop=True),
        "isic_sitc": isic_sitc.reset_index(drop=True),
        "regions": _regions(shared_data / "counties"),
        "county_crosswalk": _crosswalk(shared_data / "counties"),
        "cic_codes": cic.reset_index(drop=True),
        "isic_codes": isic.rename(columns={"desc": "description"}).reset_index(drop=True),
    }
    SHIPPED_DIR.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(SHIPPED_DIR / f"{name}.parquet", index=False, compression="zstd")
    return {name: len(frame) for name, frame in tables.items()}


if __name__ == "__main__":
    import sys

    print(rebuild(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "shared" / "data"))
