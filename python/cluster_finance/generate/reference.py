"""Synthetic reference tables: geography and county crosswalk, CIC codes of two vintages and their
concordance, CIC -> ISIC -> SITC maps, and world trade with a latent capability structure."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .targets import DIVISION_CODES, PROVINCE_COUNTIES, UTILITY_DIVISIONS, PaperTargets

N_COUNTRIES = 220
N_PRODUCTS = 780

# ------------------------------------------------------------------------------------------------
# geography
# ------------------------------------------------------------------------------------------------
COUNTY_SHAPES = np.array(["same", "rename", "split", "merge", "merge_new", "m2m"])
COUNTY_SHAPE_P = np.array([0.955, 0.010, 0.015, 0.008, 0.007, 0.005])
_SYL = list("安宝昌长成崇大德东丰福阜高广海和河华怀淮黄会吉建江金晋靖乐临龙隆罗梅南宁平青清庆仁荣山上石寿顺泰通新兴阳永玉元云章镇中")


@dataclass
class Geography:
    units: pd.DataFrame      # unit, province_code, prefecture_code, shape, codes_1995 (list), codes_2004 (list)
    regions: pd.DataFrame
    crosswalk: pd.DataFrame
    unit_codes: dict          # year -> DataFrame(unit, county_code, weight)


def make_geography(rng: np.random.Generator, scale: float, n_counties_target: int = 2860) -> Geography:
    base = pd.Series(PROVINCE_COUNTIES, dtype=float)
    n_units_total = n_counties_target / (COUNTY_SHAPE_P @ np.array([1, 1, 2, 1, 1, 2]))
    want = base / base.sum() * n_units_total * np.sqrt(min(scale, 1.0)) if scale < 1 else base / base.sum() * n_units_total
    n_units = np.maximum(1, np.round(want)).astype(int)
    rows = []
    u = 0
    for prov, n in n_units.items():
        shapes = rng.choice(COUNTY_SHAPES, size=n, p=COUNTY_SHAPE_P)
        per_pref = 12
        for i in range(n):
            pref = f"{prov}{i // per_pref + 1:02d}"
            b = (i % per_pref) * 3 + 1
            c = [f"{pref}{b + k:02d}" for k in range(3)]
            sh = shapes[i]
            c95, c04 = {
                "same": ([c[0]], [c[0]]), "rename": ([c[0]], [c[2]]), "split": ([c[0]], [c[0], c[2]]),
                "merge": ([c[0], c[1]], [c[0]]), "merge_new": ([c[0], c[1]], [c[2]]),
                "m2m": ([c[0], c[1]], [c[0], c[2]]),
            }[sh]
            rows.append((u, prov, pref, sh, c95, c04))
            u += 1
    units = pd.DataFrame(rows, columns=["unit", "province_code", "prefecture_code", "shape", "codes_1995", "codes_2004"])
    # crosswalk rows for every changed unit
    cw = []
    for r in units.itertuples():
        if r.shape == "same":
            continue
        if r.shape == "m2m":
            pairs = [(r.codes_1995[0], r.codes_2004[0]), (r.codes_1995[1], r.codes_2004[0]),
                     (r.codes_1995[1], r.codes_2004[1])]
        else:
            pairs = [(a, b) for a in r.codes_1995 for b in r.codes_2004]
        cw += [(a, 1995, b, 2004) for a, b in pairs]
    crosswalk = pd.DataFrame(cw, columns=["code_from", "year_from", "code_to", "year_to"])
    # codes and firm-allocation weights within a unit
    unit_codes = {}
    for year, col in ((1995, "codes_1995"), (2004, "codes_2004")):
        ex = units[["unit", col]].explode(col).rename(columns={col: "county_code"})
        w = rng.uniform(0.3, 1.0, size=len(ex))
        ex["weight"] = w / ex.groupby("unit")["unit"].transform(lambda s: 1).to_numpy()
        ex["weight"] = ex["weight"] / ex.groupby("unit")["weight"].transform("sum")
        unit_codes[year] = ex.reset_index(drop=True)
    # regions: every county valid in each year, with a synthetic name
    reg = []
    for year in (1995, 2004):
        ex = unit_codes[year]
        codes = np.sort(ex["county_code"].unique())
        reg.append(pd.DataFrame({"county_code": codes, "year": year}))
    regions = pd.concat(reg, ignore_index=True)
    allc = np.unique(regions["county_code"])
    i1 = rng.integers(0, len(_SYL), size=len(allc))
    i2 = rng.integers(0, len(_SYL), size=len(allc))
    suffix = np.where(rng.random(len(allc)) < 0.75, "县", "市")
    names = pd.Series([_SYL[a] + _SYL[b] for a, b in zip(i1, i2)], index=allc) + suffix
    regions["county_name"] = names.reindex(regions["county_code"]).to_numpy()
    regions["prefecture_code"] = regions["county_code"].str[:4]
    regions["province_code"] = regions["county_code"].str[:2]
    return Geography(units, regions, crosswalk, unit_codes)


# ------------------------------------------------------------------------------------------------
# industries
# ------------------------------------------------------------------------------------------------
IND_SHAPES = np.array(["same", "recode", "split2", "split3", "merge2", "merge3", "m2m"])
IND_SHAPE_P = np.array([0.72, 0.06, 0.07, 0.03, 0.05, 0.03, 0.04])
# ISIC Rev.3 division for each CIC division (a rough real-world correspondence)
ISIC_DIVISION = {
    "06": "10", "07": "11", "08": "13", "09": "13", "10": "14", "11": "14", "13": "15", "14": "15",
    "15": "15", "16": "16", "17": "17", "18": "18", "19": "19", "20": "20", "21": "36", "22": "21",
    "23": "22", "24": "36", "25": "23", "26": "24", "27": "24", "28": "24", "29": "25", "30": "25",
    "31": "26", "32": "27", "33": "27", "34": "28", "35": "29", "36": "29", "37": "34", "39": "31",
    "40": "32", "41": "33", "42": "36", "43": "37", "44": "40", "45": "40", "46": "41",
}
# SITC section for each ISIC division (where its products live)
SITC_SECTION = {"10": 3, "11": 3, "13": 2, "14": 2, "15": 0, "16": 1, "17": 6, "18": 8, "19": 6,
                "20": 2, "21": 6, "22": 8, "23": 3, "24": 5, "25": 6, "26": 6, "27": 6, "28": 6,
                "29": 7, "31": 7, "32": 7, "33": 8, "34": 7, "36": 8, "37": 2}


@dataclass
class Industries:
    units: pd.DataFrame        # iunit, division, shape, codes_1994, codes_2002, isic (list)
    concordance: pd.DataFrame
    industry_isic: pd.DataFrame
    isic_sitc: pd.DataFrame
    products: pd.DataFrame     # product, isic_code, coarse (ISIC division), fine (isic index)
    unit_codes: dict           # vintage -> DataFrame(iunit, industry_code, weight)


def make_industries(rng: np.random.Generator, targets: PaperTargets) -> Industries:
    t1 = targets.industries
    rows = []
    iu = 0
    isic_of_div = {}
    group_counter: dict[str, int] = {}
    for d, n04 in zip(t1["division"], t1["n_firms_2004"]):
        k = int(np.clip(np.round(2 + np.sqrt(n04) / 22), 2, 25))
        shapes = rng.choice(IND_SHAPES, size=k, p=IND_SHAPE_P)
        if d in UTILITY_DIVISIONS:
            isics = {"44": ["4010"], "45": ["4020"], "46": []}[d]
        else:
            idiv = ISIC_DIVISION[d]
            g = group_counter.get(idiv, 0) + 1
            group_counter[idiv] = g
            n_isic = max(1, int(np.ceil(k / 3)))
            isics = [f"{idiv}{g}{s}" for s in range(1, n_isic + 1)]
        isic_of_div[d] = isics
        for i in range(k):
            b = 3 * i + 1
            c = [f"{d}{b + j:02d}" for j in range(3)]
            sh = shapes[i]
            c94, c02 = {
                "same": ([c[0]], [c[0]]), "recode": ([c[0]], [c[1]]), "split2": ([c[0]], [c[0], c[1]]),
                "split3": ([c[0]], c), "merge2": ([c[0], c[1]], [c[0]]), "merge3": (c, [c[0]]),
                "m2m": ([c[0], c[1]], [c[0], c[2]]),
            }[sh]
            if isics:
                own = [isics[i % len(isics)]]
                if len(isics) > 1 and rng.random() < 0.2:
                    own.append(isics[(i + 1) % len(isics)])
            else:
                own = []
            rows.append((iu, d, sh, c94, c02, own))
            iu += 1
    units = pd.DataFrame(rows, columns=["iunit", "division", "shape", "codes_1994", "codes_2002", "isic"])

    conc = []
    for r in units.itertuples():
        if r.shape == "m2m":
            pairs = [(r.codes_1994[0], r.codes_2002[0]), (r.codes_1994[1], r.codes_2002[0]),
                     (r.codes_1994[1], r.codes_2002[1])]
        else:
            pairs = [(a, b) for a in r.codes_1994 for b in r.codes_2002]
        conc += pairs
    concordance = pd.DataFrame(conc, columns=["code_1994", "code_2002"])

    # industry -> ISIC: the first member code of a unit maps to all the unit's ISIC codes, further
    # members (split pieces, merged codes) to the first one only; water (46) is absent.
    ii = []
    for r in units.itertuples():
        if not r.isic:
            continue
        for vintage, codes in (("1994", r.codes_1994), ("2002", r.codes_2002)):
            for j, code in enumerate(codes):
                for isic in (r.isic if j == 0 else r.isic[:1]):
                    ii.append((vintage, code, isic))
    industry_isic = pd.DataFrame(ii, columns=["vintage", "industry_code", "isic_code"]).drop_duplicates()

    # products: each manufacturing/mining ISIC code owns a block of SITC products
    all_isic = [(d, s) for d in t1["division"] for s in isic_of_div[d] if d not in UTILITY_DIVISIONS]
    n_is = len(all_isic)
    sizes = rng.integers(3, 9, size=n_is).astype(float)
    sizes = np.maximum(2, np.round(sizes / sizes.sum() * N_PRODUCTS)).astype(int)
    diff = N_PRODUCTS - sizes.sum()
    order = rng.permutation(n_is)
    j = 0
    while diff != 0:
        k = order[j % n_is]
        if diff > 0:
            sizes[k] += 1; diff -= 1
        elif sizes[k] > 2:
            sizes[k] -= 1; diff += 1
        j += 1
    prod_rows = []
    for (d, isic), n in zip(all_isic, sizes):
        prod_rows += [(isic, isic[:2])] * int(n)
    products = pd.DataFrame(prod_rows, columns=["isic_code", "coarse"])
    # SITC Rev.2-shaped four-digit codes, section chosen by the ISIC division
    products["section"] = products["coarse"].map(SITC_SECTION).astype(int)
    codes = np.empty(len(products), dtype=object)
    for sec, idx in products.groupby("section").groups.items():
        pool = np.array([f"{sec}{g:02d}{s}" for g in range(1, 100) for s in range(1, 10)])
        pick = np.sort(rng.choice(len(pool), size=len(idx), replace=False))
        codes[np.asarray(idx)] = pool[pick]
    products["product"] = codes.astype(str)
    products = products.sort_values("product").reset_index(drop=True)
    isic_list = sorted({i for _, i in all_isic})
    products["fine"] = pd.Index(isic_list).get_indexer(products["isic_code"])

    # ISIC -> SITC: own products, plus (many-to-many) one product borrowed from another ISIC code of
    # the same ISIC division for a quarter of the codes, plus two codes that are not traded at all
    isr = [products[["isic_code", "product"]]]
    by_div = products.groupby("coarse")
    for isic in isic_list:
        if rng.random() < 0.25:
            pool = by_div.get_group(isic[:2])
            pool = pool[pool["isic_code"] != isic]
            if len(pool):
                isr.append(pd.DataFrame({"isic_code": [isic], "product": [pool["product"].iloc[rng.integers(len(pool))]]}))
    recyc = [i for i in isic_list if i.startswith("37")]
    untraded = pd.DataFrame({"isic_code": [recyc[0] if recyc else isic_list[-1], isic_list[0]],
                             "product": ["9310", "9610"]})
    isic_sitc = pd.concat(isr + [untraded], ignore_index=True).drop_duplicates()
    isic_sitc = isic_sitc.rename(columns={"product": "sitc_code"}).sort_values(["isic_code", "sitc_code"]).reset_index(drop=True)

    unit_codes = {}
    for vintage, col in (("1994", "codes_1994"), ("2002", "codes_2002")):
        ex = units[["iunit", col]].explode(col).rename(columns={col: "industry_code"})
        w = rng.uniform(0.3, 1.0, size=len(ex))
        ex["weight"] = w
        ex["weight"] = ex["weight"] / ex.groupby("iunit")["weight"].transform("sum")
        unit_codes[vintage] = ex.reset_index(drop=True)
    return Industries(units, concordance, industry_isic, isic_sitc, products, unit_codes)


# ------------------------------------------------------------------------------------------------
# world trade
# ------------------------------------------------------------------------------------------------
def make_world_trade(rng: np.random.Generator, products: pd.DataFrame,
                     beta_coarse: float = 1.3, beta_fine: float = 1.0, noise: float = 1.0) -> pd.DataFrame:
    """Exports of 220 countries in 780 products from latent capabilities: a country's capability in
    a product's sector (ISIC division) and in its fine group (ISIC class), plus noise.  Products of
    the same group are then co-exported, giving the product space its structure."""
    n_c, n_p = N_COUNTRIES, len(products)
    coarse = pd.Index(sorted(products["coarse"].unique())).get_indexer(products["coarse"])
    fine = products["fine"].to_numpy()
    size_c = rng.normal(0, 1.5, n_c)
    size_p = rng.normal(0, 0.8, n_p)
    a = rng.normal(0, 1, (n_c, coarse.max() + 1))
    b = rng.normal(0, 1, (n_c, fine.max() + 1))
    logx = (size_c[:, None] + size_p[None, :] + beta_coarse * a[:, coarse] + beta_fine * b[:, fine]
            + noise * rng.normal(0, 1, (n_c, n_p)))
    x = np.exp(logx + 12.0)
    # small countries do not export everything
    x[logx < np.quantile(logx, 0.15)] = 0.0
    names = np.array([f"C{i:03d}" for i in range(n_c)])
    ci, pi = np.nonzero(x)
    return pd.DataFrame({"country": names[ci], "product": products["product"].to_numpy()[pi],
                         "value": np.round(x[ci, pi], 0)})
