"""County harmonisation with the real 1995 -> 2004 crosswalk that ships with the project
(seeds/reference/county_crosswalk.parquet and regions.parquet, from the CC0 yescallop/areacodes).

The shipped crosswalk holds the source's identity and successor links (partial transfers are left out:
both counties go on existing, and following them would chain neighbours into much coarser groups). A
census with one firm on every real county-level unit of 1995 and of 2004 is built with the shipped
tables, and the warehouse's harmonised counties are held against a union-find written here, and its
prefecture and province cells against a pandas roll-up by the label's prefecture: many 1995 prefecture
codes changed when prefectures (地区) became prefecture-level cities, so a 1995 county must be counted in
its successor's prefecture, not under its own 1995 prefix.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cluster_finance.reference import read_shipped
from harmonise_reference import components
from tiny_inputs import FIRM_COLUMNS, reference_frames


def union_find_labels(crosswalk: pd.DataFrame, regions: pd.DataFrame) -> dict[tuple[int, str], str]:
    """(year, code) -> smallest 2004 code of its connected component (or its own code if it has none)."""
    nodes = [(int(year), code) for year, code in zip(regions["year"], regions["county_code"])]
    edges = [((1995, a), (2004, b)) for a, b in zip(crosswalk["code_from"], crosswalk["code_to"])]
    labels = {}
    for group in components(nodes, edges):
        latest = [code for year, code in group if year == 2004]
        label = min(latest) if latest else min(code for _, code in group)
        labels.update({node: label for node in group})
    return labels


def census_on_every_unit(regions: pd.DataFrame) -> dict[int, pd.DataFrame]:
    frames = {}
    for year, industry in ((1995, "1311"), (2004, "1311")):
        codes = regions.loc[regions["year"] == year, "county_code"].sort_values().to_numpy()
        rows = []
        for k, code in enumerate(codes):
            row = dict.fromkeys(FIRM_COLUMNS)
            row.update(firm_id=f"F{year}{k:05d}", county_code=code, industry_code=industry,
                       output=float(1 + k % 97), employment=1 + k % 13, total_assets=float(10 + k % 31))
            rows.append(row)
        frames[year] = pd.DataFrame(rows, columns=FIRM_COLUMNS)
    return frames


@pytest.fixture(scope="module")
def shipped():
    return read_shipped("county_crosswalk"), read_shipped("regions")


@pytest.fixture(scope="module")
def real_county_warehouse(tmp_path_factory, shipped):
    """Firms on every real unit; regions and county_crosswalk are NOT in reference_dir, so the build uses
    the shipped tables."""
    from cluster_finance.warehouse import build_warehouse, connect

    _, regions = shipped
    root = tmp_path_factory.mktemp("real_counties")
    raw, reference = root / "raw", root / "reference"
    raw.mkdir()
    reference.mkdir()
    census = census_on_every_unit(regions)
    for year, frame in census.items():
        frame.to_parquet(raw / f"firms_{year}.parquet", index=False)
    for name, frame in reference_frames().items():
        if name not in ("regions", "county_crosswalk"):
            frame.to_csv(reference / f"{name}.csv", index=False)
    result = build_warehouse(raw, reference, root / "warehouse.duckdb", target_path=root / "target",
                             select=["+cells", "+rejected_firms"])
    with connect(result.warehouse) as con:
        tables = {name: con.execute(f"select * from {name}").df()
                  for name in ("int_county_harmonised", "cells", "rejected_firms")}
    return census, tables


def test_shipped_crosswalk_is_as_documented(shipped):
    """The facts of seeds/reference/PROVENANCE.md that the other tests rely on."""
    crosswalk, regions = shipped
    assert crosswalk["link_type"].value_counts().to_dict() == {"identity": 1899, "successor": 1109}
    assert (crosswalk["year_from"] == 1995).all() and (crosswalk["year_to"] == 2004).all()
    assert regions.groupby("year").size().to_dict() == {1995: 2863, 2004: 2874}
    assert regions["county_code"].str.fullmatch(r"\d{6}").all()
    assert (regions["prefecture_code"] == regions["county_code"].str[:4]).all()
    assert regions["province_name"].notna().all() and regions["county_name"].notna().all()
    # every 1995 unit carries on through at least one identity or successor link
    assert set(regions.loc[regions["year"] == 1995, "county_code"]) == set(crosswalk["code_from"])


def test_every_real_firm_is_accepted(real_county_warehouse):
    _, tables = real_county_warehouse
    assert tables["rejected_firms"].empty


def test_units_are_the_union_find_components(real_county_warehouse, shipped):
    crosswalk, regions = shipped
    _, tables = real_county_warehouse
    want = union_find_labels(crosswalk, regions)
    got = tables["int_county_harmonised"]
    real = got.merge(regions[["year", "county_code"]], on=["year", "county_code"])
    assert len(real) == len(regions)
    assert (real["harmonised_county_code"].to_numpy()
            == [want[(int(y), c)] for y, c in zip(real["year"], real["county_code"])]).all()
    # the crosswalk's own groups: 2,730 (as its source documents); 24 more 2004 units have no 1995 source
    linked = set(zip([2004] * len(crosswalk), crosswalk["code_to"]))
    assert len({want[node] for node in linked}) == 2730
    alone = regions[(regions["year"] == 2004) & ~regions["county_code"].isin(crosswalk["code_to"])]
    assert len(alone) == 24
    assert {want[(2004, c)] for c in alone["county_code"]} == set(alone["county_code"])
    assert real.loc[real["year"] == 1995, "harmonised_county_code"].nunique() == 2730


def test_prefecture_and_province_are_those_of_the_label(real_county_warehouse, shipped):
    crosswalk, regions = shipped
    census, tables = real_county_warehouse
    labels = union_find_labels(crosswalk, regions)
    cells = tables["cells"]
    for year, firms in census.items():
        label = firms["county_code"].map(lambda code, y=year: labels[(y, code)])
        for level, width in (("prefecture", 4), ("province", 2)):
            want = firms.groupby(label.str[:width])["output"].sum().sort_index()
            got = cells[(cells["year"] == year) & (cells["region_level"] == level)
                        & (cells["industry_digits"] == 4)].set_index("region_code")["output"].sort_index()
            assert list(got.index) == list(want.index)
            assert (got.to_numpy() == want.to_numpy()).all()
    # The 1995 prefecture codes that changed are really there, and every 1995 county lands in a
    # prefecture and province of 2004.
    units_1995 = regions[regions["year"] == 1995]
    label_1995 = units_1995["county_code"].map(lambda code: labels[(1995, code)])
    assert (units_1995["county_code"].str[:4] != label_1995.str[:4]).sum() == 766
    assert (units_1995["county_code"].str[:2] != label_1995.str[:2]).sum() == 43
    prefectures_2004 = set(regions.loc[regions["year"] == 2004, "county_code"].str[:4])
    assert set(cells.loc[(cells["year"] == 1995) & (cells["region_level"] == "prefecture"), "region_code"]) \
        <= prefectures_2004
    # Hand-picked: 衡水市 (133001, Hengshui prefecture 1330 in 1995) is 桃城区 131102 of the city 1311 by 2004;
    # Chongqing's 1995 counties (Sichuan codes 51xxxx) are in province 50.
    assert labels[(1995, "133001")] == "131102"
    chongqing = units_1995[units_1995["county_code"].map(lambda code: labels[(1995, code)]).str[:2] == "50"]
    assert len(chongqing) > 30 and chongqing["county_code"].str[:2].eq("51").all()
    provinces = cells[(cells["region_level"] == "province") & (cells["industry_digits"] == 4)]
    assert set(provinces.loc[provinces["year"] == 1995, "region_code"]) \
        == set(provinces.loc[provinces["year"] == 2004, "region_code"])


def test_rebuild_leaves_partial_transfers_out(tmp_path, monkeypatch):
    """The shipped crosswalk is made from the source's identity and successor links only."""
    from cluster_finance import reference

    source = pd.DataFrame({
        "code_1995": ["110101", "110102", "110103"], "code_2004": ["110101", "110105", "110101"],
        "link_type": ["identity", "successor", "partial_transfer"]})
    (tmp_path / "county_xwalk_1995_2004.csv").write_text(source.to_csv(index=False))
    got = reference._crosswalk(tmp_path)
    assert got[["code_from", "code_to"]].values.tolist() == [["110101", "110101"], ["110102", "110105"]]
