"""The census's codes and product space: the real county units of 1995 and 2004 with the real crosswalk,
the real CIC 2002 classes, a synthetic CIC 1994 vintage with its concordance, and the real product space.

Everything here is read from the tables the project ships (`seeds/reference/`, read with
`cluster_finance.reference.read_shipped`, and the dbt seed `seeds/cic2002_isic3.csv`), except the 1994
vintage: no CIC 1994 list is public, so one is made up here that differs from CIC 2002 the way the real
revision did (DGP.md, section 1).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..reference import SHIPPED_DIR, read_shipped
from . import proximity as prox
from .targets import DIVISION_CODES

CIC_ISIC_SEED = SHIPPED_DIR.parent / "cic2002_isic3.csv"

# ------------------------------------------------------------------------------------------------
# geography: the real GB/T 2260 county units and crosswalk
# ------------------------------------------------------------------------------------------------


@dataclass
class Geography:
    units: pd.DataFrame      # unit, label (harmonised county code), province_code, prefecture_code, codes_1995, codes_2004
    regions: pd.DataFrame    # the shipped regions table (names of every code)
    crosswalk: pd.DataFrame  # the shipped crosswalk
    unit_codes: dict          # year -> DataFrame(unit, county_code, weight)
    size: np.ndarray          # relative economic size of each unit (sum over its 1995 counties)


def make_geography(rng: np.random.Generator, scale: float, provinces: list[str]) -> Geography:
    """The harmonised counties (crosswalk components, labelled as the warehouse labels them) that have a
    code valid in both census years and lie in one of the paper's provinces (the label's first two
    digits: Chongqing's units, whose 1995 codes are Sichuan's, are Chongqing's).  Below scale 1 a random
    share sqrt(scale) of each province's units is kept (at least two), so that counties keep enough firms
    for county statistics.  Firms draw their code among the unit's codes valid in their year, with fixed
    random weights."""
    regions = read_shipped("regions")
    crosswalk = read_shipped("county_crosswalk")
    valid = {y: regions.loc[regions["year"] == y, "county_code"].to_numpy(str) for y in (1995, 2004)}
    h = prox.harmonise_counties(crosswalk, valid)
    valid_nodes = np.concatenate([np.char.add(f"{y}:", codes) for y, codes in valid.items()])
    h = h[np.isin(np.char.add(h["year"].to_numpy().astype(str), np.char.add(":", h["county_code"].to_numpy(str))),
                  valid_nodes)]
    n_years = h.groupby("harmonised_code")["year"].nunique()
    labels = n_years.index[(n_years == 2).to_numpy()]
    labels = labels[labels.str[:2].isin(provinces)].sort_values()
    if scale < 1:
        keep = []
        for _, group in pd.Series(labels).groupby(labels.str[:2]):
            k = min(len(group), max(2, int(round(len(group) * np.sqrt(scale)))))
            keep.append(np.sort(rng.choice(group.to_numpy(), size=k, replace=False)))
        labels = pd.Index(np.concatenate(keep)).sort_values()
    h = h[h["harmonised_code"].isin(labels)].sort_values(["harmonised_code", "year", "county_code"])
    unit_of = pd.Series(np.arange(len(labels)), index=labels)
    units = pd.DataFrame({"unit": np.arange(len(labels)), "label": labels.to_numpy(),
                          "province_code": labels.str[:2].to_numpy(), "prefecture_code": labels.str[:4].to_numpy()})
    unit_codes = {}
    for year in (1995, 2004):
        hy = h[h["year"] == year]
        codes = hy.groupby("harmonised_code")["county_code"].agg(list)
        units[f"codes_{year}"] = codes.reindex(units["label"]).to_numpy()
        ex = pd.DataFrame({"unit": unit_of.reindex(hy["harmonised_code"]).to_numpy(),
                           "county_code": hy["county_code"].to_numpy()})
        w = rng.uniform(0.3, 1.0, size=len(ex))
        ex["weight"] = w / pd.Series(w).groupby(ex["unit"].to_numpy()).transform("sum").to_numpy()
        unit_codes[year] = ex.reset_index(drop=True)
    return Geography(units, regions, crosswalk, unit_codes, rng.lognormal(0, 0.7, len(units)))


# ------------------------------------------------------------------------------------------------
# industries: the real CIC 2002 classes and a synthetic CIC 1994 vintage
# ------------------------------------------------------------------------------------------------
# The 1994 division of each 2002 division: the real revision renumbered 1994's 40-43 as 2002's 39-42.
# Recycling (2002's 43) is new in 2002; its 1995 firms get 1994 codes in 39, the number the renumbering
# left free, so that every 1994 division is one 2002 division (Table 1's rows stay whole).
DIVISION_1994 = {"39": "40", "40": "41", "41": "42", "42": "43", "43": "39"}
# Shapes of the concordance blocks (a block is one harmonised industry): one 1994 code for one 2002
# class, one for two or three (2002 finer), two or three for one (2002 coarser), two for two (three links).
BLOCK_SHAPES = np.array(["one", "split", "merge", "m2m"])
BLOCK_SHAPE_P = np.array([0.78, 0.10, 0.08, 0.04])
RECODE_P = 0.08       # a block's 1994 code takes another class digit in the same group
MOVE_P = 0.06         # a block's 1994 codes sit in another group of the division


@dataclass
class Industries:
    units: pd.DataFrame        # iunit, label, division, codes_1994, codes_2002, has_product
    concordance: pd.DataFrame  # code_1994, code_2002 (every 2002 class of divisions 06-46)
    industry_isic: pd.DataFrame  # vintage, industry_code, isic_code: the seed (2002) and derived 1994 rows
    unit_codes: dict           # vintage -> DataFrame(iunit, industry_code, weight)


def cic2002_classes() -> pd.DataFrame:
    """The real CIC 2002 classes of Table 1's divisions: code, group, division."""
    cic = read_shipped("cic_codes")
    cl = cic[(cic["level"] == "class") & cic["division"].isin(DIVISION_CODES)]
    return pd.DataFrame({"code": cl["code"].to_numpy(str), "group": cl["code"].str[:3].to_numpy(str),
                         "division": cl["division"].to_numpy(str)}).sort_values("code").reset_index(drop=True)


def _blocks(rng, classes: pd.DataFrame) -> list[dict]:
    """Cut each 2002 group's classes (in code order) into concordance blocks."""
    blocks = []
    for (division, group), cl in classes.groupby(["division", "group"], sort=True):
        codes = cl["code"].tolist()
        i = 0
        while i < len(codes):
            shape = rng.choice(BLOCK_SHAPES, p=BLOCK_SHAPE_P)
            left = len(codes) - i
            if shape == "split" and left >= 2:
                n02, n94 = (3 if left >= 3 and rng.random() < 0.3 else 2), 1
            elif shape == "m2m" and left >= 2:
                n02, n94 = 2, 2
            elif shape == "merge":
                n02, n94 = 1, (3 if rng.random() < 0.3 else 2)
            else:
                shape, n02, n94 = "one", 1, 1
            blocks.append({"division": division, "group": group, "shape": shape, "codes_2002": codes[i:i + n02],
                           "n94": n94})
            i += n02
    return blocks


def make_1994_vintage(rng, classes: pd.DataFrame) -> pd.DataFrame:
    """A CIC 1994 vintage and its concordance to the given CIC 2002 classes, changed the way the real
    revision was: divisions renumbered (DIVISION_1994), codes split and merged, recoded within their
    group and moved to another group of the division (so that 3-digit groups are not comparable by
    their prefix either).  No 1994 code crosses a 2002 division.  Returns (code_1994, code_2002)."""
    blocks = _blocks(rng, classes)
    groups_of = classes.groupby("division")["group"].unique()
    for b in blocks:
        b["division_1994"] = DIVISION_1994.get(b["division"], b["division"])
        others = [g[2] for g in groups_of[b["division"]] if g != b["group"]]
        b["group_digit"] = rng.choice(others) if others and rng.random() < MOVE_P else b["group"][2]
        b["keep_own"] = (b["shape"] == "one" and b["group_digit"] == b["group"][2] and rng.random() >= RECODE_P)
    taken: dict[str, set] = {}                               # 1994 group -> class digits taken

    def take(division94: str, group_digit: str, want: str | None) -> str:
        """The wanted class digit of the 1994 group if free, else its first free digit; a full group
        passes the code on to the next group digit of the division."""
        for g in [group_digit] + [d for d in "1234567890" if d != group_digit]:
            used = taken.setdefault(division94 + g, set())
            free = [d for d in ([want] if want and g == group_digit else []) + list("1234567890") if d not in used]
            if free:
                used.add(free[0])
                return division94 + g + free[0]
        raise ValueError(f"1994 division {division94} is full")

    # blocks that keep their own code first, so that the others take the digits left free
    for b in sorted(blocks, key=lambda b: not b["keep_own"]):
        b["codes_1994"] = [take(b["division_1994"], b["group_digit"], b["codes_2002"][0][3] if b["keep_own"] else None)
                           for _ in range(b["n94"])]
    rows = []
    for b in blocks:
        c94, c02 = b["codes_1994"], b["codes_2002"]
        if b["shape"] == "m2m":
            pairs = [(c94[0], c02[0]), (c94[1], c02[0]), (c94[1], c02[1])]
        else:
            pairs = [(a, c) for a in c94 for c in c02]
        rows += pairs
    return pd.DataFrame(rows, columns=["code_1994", "code_2002"]).sort_values(["code_2002", "code_1994"]).reset_index(drop=True)


def read_cic_isic() -> pd.DataFrame:
    """The project's CIC 2002 -> ISIC Rev.3 seed as industry_isic rows (vintage 2002)."""
    seed = pd.read_csv(CIC_ISIC_SEED, dtype=str, keep_default_na=False)
    return pd.DataFrame({"vintage": "2002", "industry_code": seed["industry_code"], "isic_code": seed["isic_code"]})


def make_industries(rng: np.random.Generator, products) -> Industries:
    """Industry units = the 4-digit harmonised industries of the 1994 vintage's concordance, as the warehouse
    labels them (smallest 2002 code).  Firms are drawn only on codes that reach a traded product of the
    product space (`products`), except in the divisions where no code does (recycling 43, water 46): a
    real class with no product is left out of every proximity index, so the generator leaves it empty."""
    classes = cic2002_classes()
    conc = make_1994_vintage(rng, classes)
    isic02 = read_cic_isic()
    isic02 = isic02[isic02["industry_code"].isin(classes["code"])]
    # 1994 links derived through the concordance: a 1994 code reaches the ISIC classes of its 2002 codes
    isic94 = (conc.merge(isic02, left_on="code_2002", right_on="industry_code")
              [["code_1994", "isic_code"]].drop_duplicates().rename(columns={"code_1994": "industry_code"}))
    isic94.insert(0, "vintage", "1994")
    isic94 = isic94.sort_values(["industry_code", "isic_code"]).reset_index(drop=True)
    industry_isic = pd.concat([isic94, isic02], ignore_index=True)

    isic_sitc = read_shipped("isic_sitc")
    traded = set(isic_sitc.loc[isic_sitc["sitc_code"].isin(set(products)), "isic_code"])
    has_product = set(industry_isic.loc[industry_isic["isic_code"].isin(traded), "vintage"] + ":" +
                      industry_isic.loc[industry_isic["isic_code"].isin(traded), "industry_code"])
    h = prox.harmonise_industries(conc)
    h["node"] = h["vintage"] + ":" + h["industry_code"]
    h["usable"] = h["node"].isin(has_product)
    division = h["harmonised_code"].str[:2]
    h["usable"] |= ~division.isin(set(division[h["usable"]]))   # divisions with no traded product at all
    units = (h[h["usable"]].groupby(["harmonised_code", "vintage"])["industry_code"].agg(sorted)
             .unstack("vintage"))
    units = units.dropna().sort_index()                         # a unit needs a usable code in each vintage
    units = pd.DataFrame({"iunit": np.arange(len(units)), "label": units.index.to_numpy(str),
                          "division": units.index.str[:2].to_numpy(str), "codes_1994": units["1994"].to_numpy(),
                          "codes_2002": units["2002"].to_numpy()})
    units["has_product"] = [any("2002:" + c in has_product for c in codes) for codes in units["codes_2002"]]
    unit_codes = {}
    for vintage in ("1994", "2002"):
        ex = units[["iunit", f"codes_{vintage}"]].explode(f"codes_{vintage}").rename(
            columns={f"codes_{vintage}": "industry_code"})
        w = rng.uniform(0.3, 1.0, size=len(ex))
        ex["weight"] = w / pd.Series(w).groupby(ex["iunit"].to_numpy()).transform("sum").to_numpy()
        unit_codes[vintage] = ex.reset_index(drop=True)
    return Industries(units, conc, industry_isic, unit_codes)
