"""County harmonisation with the real 1995 -> 2004 crosswalk (../shared/data/counties, yescallop/areacodes).

The published crosswalk is not in the input contract's shape: one row per (1995 unit, 2004 unit) sharing
territory, with link_type identity / successor / partial_transfer. It is converted here into the contract's
county_crosswalk (code_from, year_from, code_to, year_to), leaving partial transfers out: a partial transfer
moves a piece of territory between two units that both go on existing, which does not make them one
comparable unit (following every partial transfer would chain neighbours into 2,660 much coarser groups).
The identity and successor links then give the source's own 2,730 groups (its group_main), which the test
recomputes from the source's columns and holds int_county_harmonised against.
"""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import shared_data
from tiny_inputs import census_frames, reference_frames


def contract_crosswalk(xwalk: pd.DataFrame, with_identity: bool = True) -> pd.DataFrame:
    keep = xwalk["link_type"].isin(["identity", "successor"] if with_identity else ["successor"])
    rows = xwalk.loc[keep, ["code_1995", "code_2004"]].rename(columns={"code_1995": "code_from",
                                                                        "code_2004": "code_to"})
    return rows.assign(year_from=1995, year_to=2004)[["code_from", "year_from", "code_to", "year_to"]]


def contract_regions(units_1995: pd.DataFrame, units_2004: pd.DataFrame) -> pd.DataFrame:
    frames = [units.assign(year=year) for year, units in ((1995, units_1995), (2004, units_2004))]
    return pd.concat(frames).rename(columns={"code": "county_code", "name": "county_name"})[
        ["county_code", "year", "county_name", "prefecture_name"]]


def read_units(name: str) -> pd.DataFrame:
    return pd.read_csv(shared_data("counties", name), dtype=str)


def build_with_real_crosswalk(root, crosswalk: pd.DataFrame, regions: pd.DataFrame):
    """The tiny census (its counties are real Beijing/Tianjin codes) with the real crosswalk and code lists,
    built only as far as int_county_harmonised."""
    from cluster_finance.warehouse import build_warehouse

    raw, reference = root / "raw", root / "reference"
    raw.mkdir(parents=True)
    reference.mkdir(parents=True)
    for year, frame in census_frames().items():
        frame.to_csv(raw / f"firms_{year}.csv", index=False)
    for name, frame in reference_frames().items():
        frame.to_csv(reference / f"{name}.csv", index=False)
    crosswalk.to_csv(reference / "county_crosswalk.csv", index=False)
    regions.to_csv(reference / "regions.csv", index=False)
    result = build_warehouse(raw, reference, root / "warehouse.duckdb", target_path=root / "target",
                             select=["+int_county_harmonised"])
    return result.warehouse


@pytest.fixture(scope="module")
def real_xwalk():
    return pd.read_csv(shared_data("counties", "county_xwalk_1995_2004.csv"), dtype=str)


@pytest.fixture(scope="module")
def harmonised(tmp_path_factory, real_xwalk):
    from cluster_finance.warehouse import connect

    units_1995, units_2004 = read_units("county_units_1995.csv"), read_units("county_units_2004.csv")
    warehouse = build_with_real_crosswalk(tmp_path_factory.mktemp("real_xwalk"), contract_crosswalk(real_xwalk),
                                          contract_regions(units_1995, units_2004))
    with connect(warehouse) as con:
        table = con.execute("select year, county_code, harmonised_county_code from int_county_harmonised").df()
    return table, units_1995, units_2004


def test_source_counts_are_as_documented(real_xwalk):
    """The facts of PROVENANCE.md that the other tests rely on."""
    assert real_xwalk["link_type"].value_counts().to_dict() == {"identity": 1899, "successor": 1109,
                                                               "partial_transfer": 126}
    main = real_xwalk[real_xwalk["link_type"] != "partial_transfer"]
    assert main["group_main"].nunique() == 2730


def test_every_1995_unit_maps_to_exactly_one_unit(harmonised):
    table, units_1995, _ = harmonised
    mapped = table[table["year"] == 1995]
    assert not mapped.duplicated("county_code").any()
    merged = units_1995.merge(mapped, left_on="code", right_on="county_code", how="left", validate="1:1")
    assert len(merged) == 2863
    assert merged["harmonised_county_code"].notna().all()
    assert merged["harmonised_county_code"].nunique() == 2730


def test_units_are_the_identity_successor_groups(harmonised, real_xwalk):
    """Same partition as the source's group_main, labelled by the group's smallest 2004 code."""
    table, _, units_2004 = harmonised
    main = real_xwalk[real_xwalk["link_type"] != "partial_transfer"]
    label_of_group = main.groupby("group_main")["code_2004"].min()
    lookup = table.set_index(["year", "county_code"])["harmonised_county_code"]
    got_1995 = lookup.loc[[(1995, c) for c in main["code_1995"]]].to_numpy()
    got_2004 = lookup.loc[[(2004, c) for c in main["code_2004"]]].to_numpy()
    want = main["group_main"].map(label_of_group).to_numpy()
    assert (got_1995 == want).all() and (got_2004 == want).all()
    # distinct groups never share a label
    assert label_of_group.nunique() == len(label_of_group) == 2730

    # 2004 units with no identity or successor source (new units, or carved out by partial transfers
    # only) are units of their own, keeping their code
    sourced = set(main["code_2004"])
    alone = units_2004[~units_2004["code"].isin(sourced)]["code"]
    assert len(alone) == 24
    assert (lookup.loc[[(2004, c) for c in alone]].to_numpy() == alone.to_numpy()).all()
    mapped_2004 = table[table["year"] == 2004]
    assert set(units_2004["code"]) <= set(mapped_2004["county_code"])
    assert mapped_2004.loc[mapped_2004["county_code"].isin(units_2004["code"]),
                           "harmonised_county_code"].nunique() == 2730 + 24


def test_partial_transfers_do_not_join_units(harmonised, real_xwalk):
    table, _, _ = harmonised
    lookup = table.set_index(["year", "county_code"])["harmonised_county_code"]
    partial = real_xwalk[real_xwalk["link_type"] == "partial_transfer"]
    across = partial[partial["group_main"] != partial.merge(
        real_xwalk[real_xwalk["link_type"] != "partial_transfer"][["code_2004", "group_main"]].drop_duplicates(),
        on="code_2004", how="left", suffixes=("", "_of_target"))["group_main_of_target"].to_numpy()]
    assert len(across) > 50  # most partial transfers cross between groups
    got_from = lookup.loc[[(1995, c) for c in across["code_1995"]]].to_numpy()
    got_to = lookup.loc[[(2004, c) for c in across["code_2004"]]].to_numpy()
    assert (got_from != got_to).all()
