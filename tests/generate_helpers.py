"""Helpers for tests/test_generate.py: recompute, from the written files only, what the warehouse
will compute (harmonised counties/industries, county proximity, county outcomes, panel variables)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cluster_finance.generate import proximity as prox
from cluster_finance.generate.reference import read_cic_isic
from cluster_finance.reference import read_shipped, shipped_path

CODE_COLS = {"country", "product", "code_1994", "code_2002", "industry_code", "isic_code", "sitc_code",
             "code_from", "code_to", "county_code", "prefecture_code", "province_code", "vintage"}


def read_ref(ref_dir, name) -> pd.DataFrame:
    """A reference table as the build reads it: the CSV the generator wrote, else the shipped table (and,
    for industry_isic, the CIC 2002 -> ISIC seed when no 2002 rows were written)."""
    p = Path(ref_dir) / f"{name}.csv"
    if p.exists():
        head = pd.read_csv(p, nrows=0).columns
        df = pd.read_csv(p, dtype={c: str for c in head if c in CODE_COLS}, keep_default_na=False)
    else:
        df = read_shipped(name) if shipped_path(name) else None
    if name == "industry_isic" and (df is None or not (df["vintage"] == "2002").any()):
        df = pd.concat([df, read_cic_isic()], ignore_index=True)
    return df


def load(raw_dir, ref_dir):
    firms = {y: pd.read_parquet(Path(raw_dir) / f"firms_{y}.parquet") for y in (1995, 2004)}
    refs = {n: read_ref(ref_dir, n) for n in ("world_trade", "industry_concordance", "industry_isic", "isic_sitc",
                                             "county_crosswalk", "regions", "yearbook_totals")}
    return firms, refs


def county_measures(firms, refs):
    """County proximity (3 weights) and outcomes per harmonised county and year, plus the panel."""
    labels, mat, _ = prox.harmonised_industry_proximity(refs["industry_concordance"], refs["industry_isic"],
                                                        refs["isic_sitc"], refs["world_trade"])
    harm = prox.harmonise_industries(refs["industry_concordance"], 4, firms[1995]["industry_code"].unique(),
                                     firms[2004]["industry_code"].unique())
    hc = prox.harmonise_counties(refs["county_crosswalk"],
                                 {y: np.union1d(firms[y]["county_code"].unique(),
                                                refs["regions"].loc[refs["regions"]["year"] == y, "county_code"])
                                  for y in (1995, 2004)})
    out = {}
    for y, vint in ((1995, "1994"), (2004, "2002")):
        f = firms[y]
        hmap = harm[harm.vintage == vint].set_index("industry_code")["harmonised_code"]
        ind = hmap.reindex(f["industry_code"]).to_numpy()
        cmap = hc[hc.year == y].set_index("county_code")["harmonised_code"]
        cty = cmap.reindex(f["county_code"]).to_numpy()
        res = {}
        for w, col in (("output", "output"), ("employment", "employment"), ("asset", "total_assets")):
            rl, p = prox.region_proximity(cty, ind, f[col].to_numpy(float), labels, mat)
            res[f"proximity_{w}"] = pd.Series(p, index=rl)
        a = f["total_assets"].to_numpy() / 1000.0
        g = pd.DataFrame({"c": cty, "a": a, "small": f["output"].to_numpy() < 5000})
        gb = g.groupby("c")
        res["min_asset"] = gb["a"].min()
        res["p5_asset"] = gb["a"].quantile(0.05)
        res["p10_asset"] = gb["a"].quantile(0.10)
        res["n_firms"] = gb.size()
        res["n_small_firms"] = gb["small"].sum()
        df = pd.DataFrame(res)
        df.index.name = "county"
        out[y] = df
        firms[y] = f.assign(h_county=cty, h_industry=ind)
    return out


_LATIN_SUFFIX = r"[\W_]*\b(?:co|ltd|inc|corp|company|limited|corporation|llc|plc)\b[\W_]*$"
_CHINESE_SUFFIX = r"(?:股份有限公司|有限责任公司|有限公司|公司|厂)$"


def normalise_firm_name(names: pd.Series) -> pd.Series:
    """Python twin of macros/stats/text.sql normalise_firm_name (lower, trim, Latin legal suffixes twice,
    non letters/digits removed, Chinese legal suffixes twice; empty -> None)."""
    s = names.astype(str).str.strip().str.lower()
    for _ in range(2):
        s = s.str.replace(_LATIN_SUFFIX, "", regex=True)
    s = s.str.replace(r"[\W_]", "", regex=True)
    for _ in range(2):
        s = s.str.replace(_CHINESE_SUFFIX, "", regex=True)
    return s.where(s != "", None)


def name_matches(firms):
    """The warehouse's fallback: firms not matched on firm_id, matched on normalised name within the
    harmonised county and industry, one-to-one only.  Returns (firm_id_1995, firm_id_2004) pairs.
    Needs county_measures(firms, refs) to have added h_county / h_industry."""
    f95, f04 = firms[1995], firms[2004]
    ids = set(f95["firm_id"]) & set(f04["firm_id"])
    keys = ["h_county", "h_industry", "norm"]
    a = f95[~f95["firm_id"].isin(ids)].assign(norm=lambda d: normalise_firm_name(d["firm_name"]))
    b = f04[~f04["firm_id"].isin(ids)].assign(norm=lambda d: normalise_firm_name(d["firm_name"]))
    a = a.dropna(subset=["norm"]); b = b.dropna(subset=["norm"])
    a = a[~a.duplicated(keys, keep=False)]; b = b[~b.duplicated(keys, keep=False)]
    m = a[keys + ["firm_id"]].merge(b[keys + ["firm_id"]], on=keys, suffixes=("_95", "_04"))
    return m[["firm_id_95", "firm_id_04"]].reset_index(drop=True)


def panel(firms, county, by_name: bool = True):
    """Firm panel variables (SPEC section 3) for firms in both censuses: matched on firm_id, then (as
    the warehouse does) on normalised name; name-matched firms carry their 1995 firm_id in both years."""
    rows = []
    alias = {}
    if by_name:
        nm = name_matches(firms)
        alias = dict(zip(nm["firm_id_04"], nm["firm_id_95"]))
    for y in (1995, 2004):
        f = firms[y]
        fid = f["firm_id"] if (y == 1995 or not alias) else f["firm_id"].map(alias).fillna(f["firm_id"])
        d = pd.DataFrame({"firm_id": fid, "year": y, "county": f["h_county"]})
        d["firm_age"] = y - f["founding_year"]
        d["log_sales"] = np.log(f["sales"])
        d["debt_asset"] = (f["total_debt"] / f["total_assets"]).where(lambda s: s < 3)
        d["fixed_asset_asset"] = (f["fixed_assets"] / f["total_assets"]).where(lambda s: s <= 1)
        d["accounts_receivable_revenue"] = (f["accounts_receivable"] / f["sales"]).where(lambda s: s < 2)
        d["accounts_payable_total_debt"] = (f["accounts_payable"] / f["total_debt"]).where(lambda s: s < 1.2)
        d["export_sales"] = (f["export_value"] / f["sales"]).where(lambda s: s <= 1)
        d["exporter"] = (f["export_value"] > 0).astype(float)
        d["log_labor"] = np.log(f["employment"])
        d["log_asset"] = np.log(f["total_assets"])
        d["log_value_added"] = np.log(f["value_added"])
        both = (f["value_added"] > 0) & (f["value_added_income"] > 0)
        d["log_value_added1"] = np.log((f["value_added"] + f["value_added_income"]) / 2).where(both)
        d["private_share"] = f["private_share"]; d["hmt_share"] = f["hmt_share"]
        d["other_foreign_share"] = f["foreign_share"]
        d["year04"] = float(y == 2004)
        for w in ("output", "employment", "asset"):
            d[f"proximity_{w}"] = county[y][f"proximity_{w}"].reindex(d["county"]).to_numpy()
        rows.append(d)
    p = pd.concat(rows, ignore_index=True)
    ids = set(p.loc[p.year == 1995, "firm_id"]) & set(p.loc[p.year == 2004, "firm_id"])
    return p[p["firm_id"].isin(ids)].reset_index(drop=True)


def ols_hc1(y, X):
    X = np.column_stack([np.ones(len(y)), X])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    e = y - X @ beta
    n, k = X.shape
    xtx = np.linalg.inv(X.T @ X)
    v = xtx @ (X.T * e ** 2) @ X @ xtx * n / (n - k)
    return beta, np.sqrt(np.diag(v))


def fe_ols(p: pd.DataFrame, dep, regressors):
    """Firm fixed effects on the two-year panel = first differences (year04 becomes the constant)."""
    cols = [dep] + [r for r in regressors if r != "year04"]
    d = p.dropna(subset=cols)
    cnt = d.groupby("firm_id")["year"].transform("size")
    d = d[cnt == 2].sort_values(["firm_id", "year"])
    a = d[d.year == 1995][cols].to_numpy(); b = d[d.year == 2004][cols].to_numpy()
    dd = b - a
    beta, se = ols_hc1(dd[:, 0], dd[:, 1:])
    names = ["year04"] + cols[1:]
    return dict(zip(names, beta)), dict(zip(names, se))
