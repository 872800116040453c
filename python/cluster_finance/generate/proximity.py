"""Independent numpy implementation of the Hausmann-Klinger proximity measures (SPEC section 3).

The generator uses these functions to plant effects on the county proximity it will later be asked
to recover, and tests elsewhere may use them as a dense reference for the SQL marts.  Everything is
plain numpy/scipy/pandas; nothing here reads the warehouse.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


# --------------------------------------------------------------------------------------------
# 1. product proximity
# --------------------------------------------------------------------------------------------
def product_proximity_matrix(x: np.ndarray, rca_threshold: float = 1.0):
    """Dense version: x is countries x products.  Returns (keep_mask, phi over kept products)."""
    x = np.asarray(x, dtype=float)
    row = x.sum(axis=1, keepdims=True)
    col = x.sum(axis=0, keepdims=True)
    tot = x.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rca = (x / row) / (col / tot)
    m = np.nan_to_num(rca, nan=0.0) > rca_threshold
    u = m.sum(axis=0)
    keep = u > 0
    mk = m[:, keep].astype(np.float64)
    uk = u[keep].astype(np.float64)
    c = mk.T @ mk
    phi = c / np.maximum.outer(uk, uk)
    np.fill_diagonal(phi, 1.0)
    return keep, phi


def product_proximity_from_trade(world_trade: pd.DataFrame, rca_threshold: float = 1.0):
    """(products kept, phi) from the long world_trade table."""
    wt = world_trade.groupby(["country", "product"], as_index=False)["value"].sum()
    countries, ci = np.unique(wt["country"].to_numpy(dtype=str), return_inverse=True)
    products, pi = np.unique(wt["product"].to_numpy(dtype=str), return_inverse=True)
    x = np.zeros((len(countries), len(products)))
    np.add.at(x, (ci, pi), wt["value"].to_numpy(dtype=float))
    keep, phi = product_proximity_matrix(x, rca_threshold)
    return products[keep], phi


# --------------------------------------------------------------------------------------------
# 2./3. harmonisation of industries and counties
# --------------------------------------------------------------------------------------------
def _components(left: np.ndarray, right: np.ndarray):
    nodes, inv = np.unique(np.concatenate([left, right]), return_inverse=True)
    n = len(nodes)
    a, b = inv[: len(left)], inv[len(left):]
    g = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, lab = connected_components(g, directed=False)
    return nodes, lab


def harmonise_industries(concordance: pd.DataFrame) -> pd.DataFrame:
    """Map every (vintage, code) of the concordance to its harmonised industry label.

    Components of the bipartite 1994-2002 graph; label = code of the side with fewer codes
    (ties -> the 2002 side), the smallest code if that side has several.
    Returns columns vintage ('1994'/'2002'), industry_code, harmonised_code.
    """
    c94 = ("a" + concordance["code_1994"].astype(str)).to_numpy()
    c02 = ("b" + concordance["code_2002"].astype(str)).to_numpy()
    nodes, lab = _components(c94, c02)
    df = pd.DataFrame({"node": nodes, "comp": lab})
    df["vintage"] = np.where(df["node"].str[0] == "a", "1994", "2002")
    df["industry_code"] = df["node"].str[1:]
    n94 = df[df.vintage == "1994"].groupby("comp").size()
    n02 = df[df.vintage == "2002"].groupby("comp").size()
    sizes = pd.DataFrame({"n94": n94, "n02": n02}).fillna(0)
    side = np.where(sizes["n94"] < sizes["n02"], "1994", "2002")
    side = pd.Series(side, index=sizes.index)
    cand = df[df["vintage"].to_numpy() == side.reindex(df["comp"]).to_numpy()]
    label = cand.groupby("comp")["industry_code"].min()
    df["harmonised_code"] = label.reindex(df["comp"]).to_numpy()
    return df[["vintage", "industry_code", "harmonised_code"]].reset_index(drop=True)


def harmonise_counties(crosswalk: pd.DataFrame, codes_by_year: dict[int, np.ndarray] | None = None) -> pd.DataFrame:
    """Map (year, county_code) to the harmonised county: components of the crosswalk graph,
    labelled by the smallest code of the latest year in the component; codes absent map to themselves.
    Returns columns year, county_code, harmonised_code.
    """
    cw = crosswalk
    left = (cw["year_from"].astype(int).astype(str) + ":" + cw["code_from"].astype(str)).to_numpy()
    right = (cw["year_to"].astype(int).astype(str) + ":" + cw["code_to"].astype(str)).to_numpy()
    nodes, lab = _components(left, right)
    df = pd.DataFrame({"node": nodes, "comp": lab})
    df["year"] = df["node"].str[:4].astype(int)
    df["county_code"] = df["node"].str[5:]
    latest = df.groupby("comp")["year"].transform("max")
    label = df[df["year"] == latest].groupby("comp")["county_code"].min()
    df["harmonised_code"] = label.reindex(df["comp"]).to_numpy()
    out = df[["year", "county_code", "harmonised_code"]]
    if codes_by_year:
        extra = []
        for y, codes in codes_by_year.items():
            codes = pd.Index(np.unique(np.asarray(codes, dtype=str)))
            have = set(out.loc[out["year"] == y, "county_code"])
            miss = [c for c in codes if c not in have]
            extra.append(pd.DataFrame({"year": y, "county_code": miss, "harmonised_code": miss}))
        out = pd.concat([out, *extra], ignore_index=True)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# industry -> product weights and industry proximity
# --------------------------------------------------------------------------------------------
def industry_products(industry_isic: pd.DataFrame, isic_sitc: pd.DataFrame, products_kept) -> pd.DataFrame:
    """Compose CIC -> ISIC -> SITC, keeping only products in the product space.
    Returns distinct (vintage, industry_code, product)."""
    m = industry_isic.merge(isic_sitc, on="isic_code", how="inner")
    m = m[m["sitc_code"].isin(set(products_kept))]
    return (m[["vintage", "industry_code", "sitc_code"]].rename(columns={"sitc_code": "product"})
            .drop_duplicates().reset_index(drop=True))


def industry_proximity(ind_products: pd.DataFrame, industry_col: str, products, phi):
    """phi(a,b) = sum_p sum_q w(a,p) w(b,q) phi(p,q) with equal weights over each industry's
    distinct products.  Returns (industries, matrix)."""
    ip = ind_products[[industry_col, "product"]].drop_duplicates()
    inds, ii = np.unique(ip[industry_col].to_numpy(dtype=str), return_inverse=True)
    pindex = pd.Index(np.asarray(products, dtype=str))
    pj = pindex.get_indexer(ip["product"].to_numpy(dtype=str))
    if (pj < 0).any():
        raise ValueError("industry product not in the product space")
    w = np.zeros((len(inds), len(pindex)))
    w[ii, pj] = 1.0
    w /= w.sum(axis=1, keepdims=True)
    return inds, w @ phi @ w.T


def harmonised_industry_proximity(concordance, industry_isic, isic_sitc, world_trade, rca_threshold=1.0):
    """Full chain to harmonised-industry proximity.  Returns (labels, matrix, harmonisation table)."""
    products, phi = product_proximity_from_trade(world_trade, rca_threshold)
    ip = industry_products(industry_isic, isic_sitc, products)
    h = harmonise_industries(concordance)
    ip = ip.merge(h, on=["vintage", "industry_code"], how="left")
    # codes absent from the concordance are their own harmonised industry
    ip["harmonised_code"] = ip["harmonised_code"].fillna(ip["industry_code"])
    labels, mat = industry_proximity(ip, "harmonised_code", products, phi)
    return labels, mat, h


# --------------------------------------------------------------------------------------------
# 4. region proximity
# --------------------------------------------------------------------------------------------
def region_proximity_dense(s: np.ndarray, phi_ind: np.ndarray) -> np.ndarray:
    """s: regions x industries size matrix (industries with at least one product only), phi_ind the
    industry proximity over the same industries.  Returns P(r) (NaN if fewer than two industries)."""
    s = np.where(s > 0, s, 0.0)
    a = s @ phi_ind - s * np.diag(phi_ind)[None, :]
    den = s.sum(axis=1, keepdims=True) - s
    with np.errstate(divide="ignore", invalid="ignore"):
        pri = np.where((s > 0) & (den > 0), a / den, 0.0)
        p = (s * pri).sum(axis=1) / s.sum(axis=1)
    n_ind = (s > 0).sum(axis=1)
    p[n_ind < 2] = np.nan
    return p


def region_proximity(regions: np.ndarray, industries: np.ndarray, size: np.ndarray,
                     ind_labels: np.ndarray, phi_ind: np.ndarray):
    """Firm-level (region, industry, size) arrays -> (region labels, P).  Industries not in
    ind_labels (no product) are left out."""
    lab_index = pd.Index(np.asarray(ind_labels, dtype=str))
    j = lab_index.get_indexer(np.asarray(industries, dtype=str))
    ok = j >= 0
    rl, ri = np.unique(np.asarray(regions)[ok], return_inverse=True)
    s = np.zeros((len(rl), len(lab_index)))
    np.add.at(s, (ri, j[ok]), np.asarray(size, dtype=float)[ok])
    return rl, region_proximity_dense(s, phi_ind)
