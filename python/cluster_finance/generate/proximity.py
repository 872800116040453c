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


def _label_components(early, late, lone_early=(), lone_late=(), early_name="1994", implicit_identity=False):
    """Components of the bipartite graph whose links are early[i] - late[i] (codes of an earlier and a
    later classification), each labelled by its smallest later code.  Codes with no link (listed in
    lone_early / lone_late) are their own component, except that with implicit_identity an earlier code
    continues under the later code of the same string; a component with no later code is labelled
    '<early_name>:<code>', which no later code can equal.  Returns a frame (side 'early'/'late', code,
    label) with one row per node."""
    early, late = np.asarray(early, dtype=str), np.asarray(late, dtype=str)
    lone = np.setdiff1d(np.asarray(list(lone_early), dtype=str), early)
    alone = np.setdiff1d(np.asarray(list(lone_late), dtype=str), late)
    left = [np.char.add("0:", early), np.char.add("1:", alone)]          # self-loops keep lone codes as nodes
    right = [np.char.add("1:", late), np.char.add("1:", alone)]
    left.append(np.char.add("0:", lone))
    right.append(np.char.add("1:" if implicit_identity else "0:", lone))
    nodes, comp = _components(np.concatenate(left), np.concatenate(right))
    nodes = pd.Series(nodes)
    df = pd.DataFrame({"side": np.where(nodes.str[0] == "1", "late", "early"), "code": nodes.str[2:].to_numpy(),
                       "comp": comp})
    label = df[df["side"] == "late"].groupby("comp")["code"].min()
    own = df.groupby("comp")["code"].min().radd(f"{early_name}:")
    df["label"] = label.reindex(df["comp"]).fillna(own.reindex(df["comp"])).to_numpy()
    return df.drop(columns="comp")


def harmonise_industries(concordance: pd.DataFrame, digits: int = 4, codes_1994=(), codes_2002=()) -> pd.DataFrame:
    """Harmonised industries at `digits` digits (SPEC section 3, as int_industry_harmonised builds them):
    connected components of the (vintage, code) graph of the concordance with both sides cut to `digits`,
    labelled by the component's smallest 2002 code at that level; a component with none (a 1994 code the
    concordance leaves out) is labelled '1994:<code>'.  Components are never merged because of their
    labels.  codes_1994 / codes_2002 list further codes to map (e.g. the firms').  Returns columns
    vintage ('1994'/'2002'), industry_code (at `digits` digits), harmonised_code."""
    cut = lambda codes: pd.Series(np.asarray(codes, dtype=str)).str[:digits].to_numpy()
    df = _label_components(cut(concordance["code_1994"]), cut(concordance["code_2002"]),
                           cut(list(codes_1994)), cut(list(codes_2002)))
    df["vintage"] = np.where(df["side"] == "late", "2002", "1994")
    return (df.rename(columns={"code": "industry_code", "label": "harmonised_code"})
            [["vintage", "industry_code", "harmonised_code"]].reset_index(drop=True))


def harmonise_counties(crosswalk: pd.DataFrame, codes_by_year: dict[int, np.ndarray] | None = None) -> pd.DataFrame:
    """Map (year, county_code) to the harmonised county, as the warehouse does: connected components of
    the crosswalk graph (nodes are (year, code)), labelled by the smallest code of the later year; a code
    of the earlier year with no link out continues under the same code (implicit identity), a code of the
    later year with no link is its own unit.  codes_by_year lists further codes to map (e.g. the regions'
    or the firms').  One pair of years (the censuses').  Returns columns year, county_code,
    harmonised_code."""
    years = sorted({int(y) for y in crosswalk["year_from"]} | {int(y) for y in crosswalk["year_to"]} |
                   set(codes_by_year or ()))
    if len(years) != 2:
        raise ValueError(f"county harmonisation expects one pair of years, got {years}")
    y0, y1 = years
    cw = crosswalk[(crosswalk["year_from"].astype(int) == y0) & (crosswalk["year_to"].astype(int) == y1)]
    codes_by_year = codes_by_year or {}
    df = _label_components(cw["code_from"], cw["code_to"], codes_by_year.get(y0, ()), codes_by_year.get(y1, ()),
                           str(y0), implicit_identity=True)
    df["year"] = np.where(df["side"] == "late", y1, y0)
    return (df.rename(columns={"code": "county_code", "label": "harmonised_code"})
            [["year", "county_code", "harmonised_code"]].reset_index(drop=True))


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


def harmonised_industry_proximity(concordance, industry_isic, isic_sitc, world_trade, rca_threshold=1.0,
                                  digits: int = 4):
    """Full chain to harmonised-industry proximity at `digits` digits: a harmonised industry's products
    are the union of those of its member codes in both vintages.  Returns (labels, matrix, harmonisation
    table)."""
    products, phi = product_proximity_from_trade(world_trade, rca_threshold)
    ip = industry_products(industry_isic, isic_sitc, products)
    ip["industry_code"] = ip["industry_code"].str[:digits]
    by_vintage = {v: ip.loc[ip["vintage"] == v, "industry_code"].unique() for v in ("1994", "2002")}
    h = harmonise_industries(concordance, digits, by_vintage["1994"], by_vintage["2002"])
    ip = ip.merge(h, on=["vintage", "industry_code"], how="inner")
    labels, mat = industry_proximity(ip, "harmonised_code", products, phi)
    return labels, mat, h


# --------------------------------------------------------------------------------------------
# 4. region proximity
# --------------------------------------------------------------------------------------------
def region_proximity_dense(s: np.ndarray, phi_ind: np.ndarray) -> np.ndarray:
    """s: regions x industries size matrix (industries with at least one product only), phi_ind the
    industry proximity over the same industries.  Returns P(r) as the warehouse's default
    (single_industry_proximity 'zero'): 0 with one industry (the paper's Table 5 minimum), NaN with none."""
    s = np.where(s > 0, s, 0.0)
    a = s @ phi_ind - s * np.diag(phi_ind)[None, :]
    den = s.sum(axis=1, keepdims=True) - s
    with np.errstate(divide="ignore", invalid="ignore"):
        pri = np.where((s > 0) & (den > 0), a / den, 0.0)
        p = (s * pri).sum(axis=1) / s.sum(axis=1)
    n_ind = (s > 0).sum(axis=1)
    p[n_ind == 1] = 0.0
    p[n_ind == 0] = np.nan
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
