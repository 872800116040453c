"""The synthetic census: firms of 1995 and 2004 with clustered geography, a panel and planted effects.
See DGP.md for the data-generating process.  Everything is vectorised over firms; loops run over
provinces, divisions or (province, division) cells only."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from . import calibrate as cal
from . import proximity as prox
from .reference import Geography, Industries
from .targets import PaperTargets

SMALL_OUTPUT = 5000.0          # thousand RMB (5 million RMB)
PANEL_FIRMS_FULL = 76130       # Table 5: 152,260 exporter observations / 2
KAPPA_MEAN, KAPPA_SD = 4.0, 1.0
KAPPA_GROWTH = 0.4             # mean rise of the clustering intensity 1995 -> 2004
CENTRALITY = 0.0               # national weight of an industry rises by exp(CENTRALITY * z(mean proximity)) (0: not in 1995)
CENTRALITY_GROWTH = 0.4        # ... and by a further exp(CENTRALITY_GROWTH * z) in 2004
ROUNDS = 8                     # alternating industry/province moment calibration rounds
WEIGHTS = ("output", "employment", "asset")
SMALL_KAPPA = 2.0              # steepness of the logistic county small-firm share (Table 8 cols 4-6)
SMALL_SURPLUS = -2.0           # weight of the county's 2004 firm surplus in the small-share index
SMALL95_NOISE = 2.0            # SD of the county noise in the 1995 small-share index
MIN_ASSET_CORRECTION_ROUNDS = 3  # rounds offsetting small counties' and clipped plans' p5 / p10 gaps (Table 6)


@dataclass
class Space:
    """Industry units, their proximity and the county units."""
    n_units: int
    unit_division: np.ndarray          # division index per industry unit
    has_product: np.ndarray            # bool per industry unit
    phi: np.ndarray                    # unit x unit industry proximity (0 where no product)
    n_counties: int
    county_province: np.ndarray        # province index per county unit
    provinces: list
    divisions: list


@dataclass
class Year:
    year: int
    county: np.ndarray
    iunit: np.ndarray
    province: np.ndarray
    division: np.ndarray
    output: np.ndarray = None
    employment: np.ndarray = None
    assets: np.ndarray = None
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------
def build_space(geo: Geography, ind: Industries, labels, mat, targets: PaperTargets) -> Space:
    """Industry units (4-digit harmonised industries) with their proximity from the harmonised-industry
    matrix (labels, mat), and the county units with their province (Table 2's order)."""
    provinces = list(targets.provinces["province_code"])
    divisions = list(targets.industries["division"])
    iu = ind.units
    li = pd.Index(np.asarray(labels, dtype=str)).get_indexer(iu["label"])
    has = li >= 0
    n = len(iu)
    phi = np.zeros((n, n))
    idx = np.flatnonzero(has)
    phi[np.ix_(idx, idx)] = mat[np.ix_(li[idx], li[idx])]
    udiv = pd.Index(divisions).get_indexer(iu["division"])
    cprov = pd.Index(provinces).get_indexer(geo.units["province_code"])
    if (udiv < 0).any() or (cprov < 0).any():
        raise ValueError("an industry unit outside Table 1's divisions or a county outside Table 2's provinces")
    return Space(n, udiv, has, phi, len(geo.units), cprov, provinces, divisions)


def margins(targets: PaperTargets, scale: float):
    """Firm counts per (division, province) for both years with exact margins."""
    t1, t2 = targets.industries, targets.provinces
    out = {}
    for y in (1995, 2004):
        nd_full = t1[f"n_firms_{y}"].to_numpy()
        n_tot = int(round(nd_full.sum() * scale))
        nd = cal.largest_remainder(nd_full, n_tot) if scale != 1 else nd_full.astype(np.int64)
        # Table 2 sums to 500,833 in 1995: the 5,576 firms with no province in the paper are spread
        # over provinces in proportion to Table 2 (largest remainder), see DGP.md.
        npv = cal.largest_remainder(t2[f"n_firms_{y}"].to_numpy(), n_tot)
        out[y] = (nd, npv)
    return out


def joint_counts(rng, nd, npv, spec_noise):
    prior = np.outer(nd, npv).astype(float) * spec_noise
    m = cal.ipf(prior, nd.astype(float), npv.astype(float))
    return cal.controlled_round(m, nd, npv)


def unit_weights(rng, space: Space):
    """National weight of each industry within its division: lognormal, tilted towards industries
    central in product space (high mean proximity to the others), which raises every county's
    proximity without concentrating counties in few industries (that would add noise)."""
    base = rng.lognormal(0, 0.8, space.n_units)
    return base * np.exp(CENTRALITY * centrality_z(space))


def centrality_z(space: Space):
    """Standardised mean proximity of each industry to all (0 for industries without a product)."""
    has = space.has_product
    cen = space.phi.sum(1) / has.sum()
    return np.where(has, (cen - cen[has].mean()) / cen[has].std(), 0.0)


def county_core(rng, space: Space, base):
    w = base * space.has_product
    core = rng.choice(space.n_units, size=space.n_counties, p=w / w.sum())
    return core


def allocate_1995(rng, space: Space, cells: np.ndarray, csize, base, kappa, core) -> np.ndarray:
    """Multinomial allocation of each (division, province) cell over counties x units.
    Returns an array of (county, unit, count) rows."""
    out = []
    for p in range(len(space.provinces)):
        cs = np.flatnonzero(space.county_province == p)
        aff = space.phi[:, core[cs]].T                       # counties x units
        for d in range(len(space.divisions)):
            n = int(cells[d, p])
            if n == 0:
                continue
            us = np.flatnonzero(space.unit_division == d)
            w = csize[cs, None] * base[None, us] * np.exp(kappa[cs, None] * aff[:, us])
            k = rng.multinomial(n, (w / w.sum()).ravel())
            nz = np.flatnonzero(k)
            out.append(np.column_stack([cs[nz // len(us)], us[nz % len(us)], k[nz]]))
    return np.concatenate(out)


def expand(alloc: np.ndarray, space: Space, year: int) -> Year:
    county = np.repeat(alloc[:, 0], alloc[:, 2])
    iunit = np.repeat(alloc[:, 1], alloc[:, 2])
    return Year(year, county, iunit, space.county_province[county], space.unit_division[iunit])


# ------------------------------------------------------------------------------------------------
def draw_output(rng, yr: Year, targets: PaperTargets, space: Space):
    t1, t2 = targets.industries, targets.provinces
    y = yr.year
    md, sdd = t1[f"mean_{y}"].to_numpy(float), t1[f"sd_{y}"].to_numpy(float)
    mp, sdp = t2[f"mean_{y}"].to_numpy(float), t2[f"sd_{y}"].to_numpy(float)
    mu_d, s_d = cal.lognormal_params(md, sdd)
    tot_mean = (md * t1[f"n_firms_{y}"]).sum() / t1[f"n_firms_{y}"].sum()
    nu_p = np.log(mp / tot_mean)
    s = np.sqrt(s_d[yr.division] ** 2 * 0.85)
    x = np.exp(mu_d[yr.division] + 0.6 * nu_p[yr.province] + s * rng.standard_normal(len(yr.division)))
    nd = np.bincount(yr.division, minlength=len(md)); npv = np.bincount(yr.province, minlength=len(mp))
    okd = nd > 1; okp = npv > 1
    for _ in range(ROUNDS):
        x = _cal_sub(x, yr.division, okd, md, sdd)
        # province steps are damped: the paper's extreme province SDs (one giant firm) would otherwise
        # need exponents that crush the small firms of the province towards zero
        x = _cal_sub(x, yr.province, okp, mp, sdp, gmin=0.3, gmax=3.0)
    x = _cal_sub(x, yr.division, okd, md, sdd)
    # heavy-tail calibration leaves a few near-zero values: floor them at 20-100 thousand RMB
    # (changes no mean or SD by more than a fraction of a percent)
    tiny = x < 20
    x[tiny] = rng.uniform(20, 100, tiny.sum())
    return x


def _cal_sub(x, g, ok, m, s, **kw):
    sel = ok[g]
    if sel.sum() == 0:
        return x
    gi = pd.Index(np.flatnonzero(ok)).get_indexer(g[sel])
    x = x.copy()
    x[sel] = cal.power_calibrate(x[sel], gi, m[ok], s[ok], **kw)
    return x


def employment_assets(rng, output, panel_like=0.0):
    lo = np.log(output)
    emp = np.exp(0.62 * (lo - 7.5) + 3.9 + 1.6 * rng.standard_normal(len(lo)))
    emp = np.maximum(1, np.round(emp)).astype(np.int64)
    assets = np.exp(lo + 0.25 + 1.05 * rng.standard_normal(len(lo)))
    return emp, assets


def county_proximities(space: Space, yr: Year, n_counties) -> dict:
    out = {}
    has = space.has_product[yr.iunit]
    idx = np.flatnonzero(space.has_product)
    sub = space.phi[np.ix_(idx, idx)]
    remap = np.full(space.n_units, -1); remap[idx] = np.arange(len(idx))
    for wname, size in (("output", yr.output), ("employment", yr.employment), ("asset", yr.assets)):
        s = np.zeros((n_counties, len(idx)))
        np.add.at(s, (yr.county[has], remap[yr.iunit[has]]), size[has].astype(float))
        out[wname] = prox.region_proximity_dense(s, sub)
    return out


def county_stats(yr: Year, n_counties) -> dict:
    a = yr.assets / 1000.0
    order = np.lexsort((a, yr.county))
    v = a[order]
    n = np.bincount(yr.county, minlength=n_counties)
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    out = {"n_firms": n,
           "n_small": np.bincount(yr.county, weights=(yr.output < SMALL_OUTPUT).astype(float), minlength=n_counties)}
    ok = n > 0
    for name, q in (("min", 0.0), ("p5", 0.05), ("p10", 0.10)):
        r = np.full(n_counties, np.nan)
        h = (n[ok] - 1) * q
        f = np.floor(h).astype(int); c = np.minimum(f + 1, n[ok] - 1)
        lo = v[start[ok] + f]; hi = v[start[ok] + c]
        r[ok] = lo + (h - f) * (hi - lo)
        out[name] = r
    return out


# ------------------------------------------------------------------------------------------------
# Table 8: planted county firm counts
# ------------------------------------------------------------------------------------------------
def plant_log_counts(rng, targets, dep, lag, P95, prov, prov_totals, sample, r2, const_free=True,
                     prox_shift=(0.0, 0.0, 0.0)):
    """log count 2004 = free const + b*log count 1995 + sum_k g_k P95_k + u, u orthogonal to the
    regressors, with the province totals imposed (the province shifts are projected out
    iteratively so that each paper column's OLS still gives its point estimates).  prox_shift is
    added to the planned proximity coefficients (output, employment, asset columns)."""
    cols = {"output": 1, "employment": 2, "asset": 3} if dep == "log_n_firms_2004" else {"output": 4, "employment": 5, "asset": 6}
    lagname = "log_n_firms_1995" if dep == "log_n_firms_2004" else "log_n_small_firms_1995"
    s = sample
    Z = np.column_stack([np.ones(s.sum()), lag[s], P95["output"][s], P95["employment"][s], P95["asset"][s]])
    columns = []
    for k, (w, c) in enumerate(cols.items()):
        tgt = np.array([np.nan, targets.coef(8, c, dep, lagname),
                        targets.coef(8, c, dep, f"proximity_1995_{w}") + prox_shift[k]])
        columns.append(([0, 1, 2 + k], tgt))
    theta = cal.solve_signal(Z, columns)
    sig = Z @ theta
    sd_u = np.sqrt(np.var(sig) * (1 - r2) / r2)
    u = cal.orthogonal_noise(rng.normal(0, sd_u, s.sum()), Z)
    y = sig + u
    full = np.zeros(len(lag))
    # counties outside the regression sample: same slopes on their own lag, mean proximity
    full[~s] = theta[0] + theta[1] * lag[~s] + np.nanmean(Z[:, 2:] @ theta[2:]) + rng.normal(0, sd_u, (~s).sum())
    for _ in range(60):
        full[s] = y
        m = full.max()
        tot = np.bincount(prov, np.exp(full - m), len(prov_totals))
        shift = np.where(tot > 0, np.log(np.maximum(prov_totals, 1e-300)) - np.log(np.where(tot > 0, tot, 1)) - m, 0.0)
        full = full + shift[prov]
        ynew = full[s]
        b = cal.ols(ynew, Z)
        y = ynew - Z[:, 1:] @ (b[1:] - theta[1:])
        if np.abs(shift).max() < 1e-9:
            break
    full[s] = y
    return full


def small_firm_coefs(ns04, ns95, P95, sample):
    """Table 8 columns 4-6 as the warehouse will estimate them: OLS of log small firms 2004 on log small
    firms 1995 and 1995 proximity (output, employment, asset), counties with both counts > 0."""
    s = sample & (ns04 > 0) & (ns95 > 0)
    out = []
    for w in ("output", "employment", "asset"):
        X = np.column_stack([np.ones(s.sum()), np.log(ns95[s]), P95[w][s]])
        out.append(cal.ols(np.log(ns04[s].astype(float)), X))
    return np.array(out)                               # rows: columns 4, 5, 6; cols: const, lag, P


def counts_from_logs(logn, prov, prov_totals, minimum=1):
    """Integer counts proportional to exp(logn) within each province, summing to its total."""
    n = np.zeros(len(logn), dtype=np.int64)
    for p in range(len(prov_totals)):
        cs = np.flatnonzero(prov == p)
        if len(cs) == 0:
            continue
        k = cal.largest_remainder(np.exp(logn[cs] - logn[cs].max()), int(prov_totals[p]))
        while minimum and (k < minimum).any() and k.sum() >= minimum * len(cs):
            z = np.flatnonzero(k < minimum)
            k[z] += 1
            for _ in range(len(z)):
                k[np.argmax(k)] -= 1
        n[cs] = k
    return n


# ------------------------------------------------------------------------------------------------
def allocate_2004(rng, space: Space, cells, n04, csize, base, kappa, core):
    """County totals n04 (planted) and (division, province) totals fixed: county x division by IPF +
    controlled rounding per province, then units by multinomial."""
    out = []
    nd = len(space.divisions)
    for p in range(len(space.provinces)):
        cs = np.flatnonzero(space.county_province == p)
        aff = space.phi[:, core[cs]].T
        pri = np.zeros((len(cs), nd))
        for d in range(nd):
            us = np.flatnonzero(space.unit_division == d)
            pri[:, d] = (base[None, us] * np.exp(kappa[cs, None] * aff[:, us])).sum(1) * csize[cs]
        m = cal.ipf(pri + 1e-12, n04[cs].astype(float), cells[:, p].astype(float), iters=100)
        cd = cal.controlled_round(m, n04[cs], cells[:, p])
        for d in range(nd):
            k = cd[:, d]
            if k.sum() == 0:
                continue
            us = np.flatnonzero(space.unit_division == d)
            w = base[None, us] * np.exp(kappa[cs, None] * aff[:, us])
            pv = w / w.sum(1, keepdims=True)
            kk = rng.multinomial(k, pv)
            r, j = np.nonzero(kk)
            out.append(np.column_stack([cs[r], us[j], kk[r, j]]))
    return np.concatenate(out)


def small_share_index(targets, n04, lag, P95, sample):
    """The three parts of the small-firm share index (zero outside the sample): the centred log small
    firms of 1995, the proximity direction that gives columns 4-6 their proximity targets (solved as
    for a linear signal, standardised), and the county's 2004 firm surplus (log n04 residualised on
    the regressors, standardised: a county with more firms than its 1995 figures predict keeps more
    of them small, so most firms sit in high-share counties and the province totals can hold)."""
    s = sample & (n04 > 0)
    Z = np.column_stack([np.ones(s.sum()), lag[s]] + [P95[w][s] for w in WEIGHTS])
    dep = "log_n_small_firms_2004"
    theta = cal.solve_signal(Z, [([0, 1, 2 + k], np.array([np.nan, np.nan, targets.coef(8, 4 + k, dep, f"proximity_1995_{w}")]))
                                 for k, w in enumerate(WEIGHTS)])
    out = np.zeros((3, len(n04)))
    surplus = cal.orthogonal_noise(np.log(n04[s]), Z)
    dp = Z[:, 2:] @ theta[2:]
    for k, v in enumerate((lag[s] - lag[s].mean(), (dp - dp.mean()) / dp.std(), surplus / surplus.std())):
        out[k, s] = v
    return out


class SmallFirmPlacer:
    """Permute outputs within (province, division) cells (cell moments untouched) so that county r holds
    about C * logistic(-SMALL_KAPPA (eta_r + c_cell)) of the cell's C firms as small firms, c_cell
    making the cell's small outputs fit exactly (so the plan is always feasible: never more small
    firms than a county has firms in the cell, nor than the cell has small outputs).  Counts are
    rounded with exact cell totals per province; the cell's small outputs then go to those slots."""

    def __init__(self, rng, yr: Year, n_counties, n_provinces, n_divisions):
        self.yr, self.nc, self.npv, self.nd = yr, n_counties, n_provinces, n_divisions
        ncell = n_provinces * n_divisions
        self.cell = yr.province * n_divisions + yr.division
        pairs, self.inv, self.C = np.unique(yr.county * ncell + self.cell, return_inverse=True, return_counts=True)
        self.pc, self.pd = pairs // ncell, pairs % ncell
        self.S = np.bincount(self.cell, (yr.output < SMALL_OUTPUT).astype(float), ncell)
        self.key = rng.random(len(self.cell))
        self.out_sorted = yr.output[np.lexsort((yr.output, self.cell))]
        self.grp = np.lexsort((self.key, self.inv))          # firms grouped by pair, random within
        self.rank = np.arange(len(self.grp)) - np.concatenate([[0], np.cumsum(self.C)[:-1]])[self.inv[self.grp]]

    def expected(self, eta):
        """Unrounded small firms per (county, cell) pair for the county index eta."""
        pc, pd, C = self.pc, self.pd, self.C
        span = np.abs(eta).max() + 40.0 / SMALL_KAPPA
        lo, hi = np.full(len(self.S), -span), np.full(len(self.S), span)
        for _ in range(50):                       # bisection on the cell offsets
            mid = (lo + hi) / 2
            over = np.bincount(pd, C * cal.logistic(-SMALL_KAPPA * (eta[pc] + mid[pd])), len(self.S)) > self.S
            lo = np.where(over, mid, lo); hi = np.where(over, hi, mid)
        return C * cal.logistic(-SMALL_KAPPA * (eta[pc] + (lo + hi)[pd] / 2))

    def county_expected(self, eta):
        """Unrounded small firms per county (at least one, as counts() gives)."""
        return np.maximum(np.bincount(self.pc, self.expected(eta), self.nc), 1)

    def counts(self, eta):
        """Integer small firms per pair and per county: county totals by counts_from_logs (asking for at
        least one small firm per county, so that counties stay in the regression sample; the cell
        rounding does not always honour it), then per province a controlled rounding with exact cell
        totals."""
        pc, pd, nd = self.pc, self.pd, self.nd
        K = self.expected(eta)
        here = np.unique(pc)
        cprov = np.zeros(self.nc, dtype=np.int64); cprov[pc] = pd // nd
        rows_all = np.zeros(self.nc, dtype=np.int64)
        rows_all[here] = counts_from_logs(np.log(np.maximum(np.bincount(pc, K, self.nc)[here], 1e-300)), cprov[here],
                                          self.S.reshape(self.npv, nd).sum(1).astype(np.int64), minimum=1)
        Kint = np.zeros(len(K), dtype=np.int64)
        for p in range(self.npv):
            sel = np.flatnonzero(pd // nd == p)
            if len(sel) == 0:
                continue
            cs, ci = np.unique(pc[sel], return_inverse=True)
            m = np.zeros((len(cs), nd)); m[ci, pd[sel] % nd] = K[sel]
            Kint[sel] = cal.controlled_round(m, rows_all[cs], self.S[p * nd:(p + 1) * nd].astype(np.int64))[ci, pd[sel] % nd]
        return Kint, np.bincount(pc, Kint, self.nc)

    def place(self, Kint):
        """Outputs permuted within cells so that each pair gets Kint small ones."""
        slot = np.empty(len(self.cell), bool)
        slot[self.grp] = self.rank < Kint[self.inv[self.grp]]
        order = np.lexsort((self.key, ~slot, self.cell))  # per cell: small slots first, random within
        new = np.empty_like(self.yr.output)
        new[order] = self.out_sorted
        return new


# ------------------------------------------------------------------------------------------------
# Table 6: planted minimum capital
# ------------------------------------------------------------------------------------------------
def plant_min_assets(rng, targets: PaperTargets, yr04: Year, stats95, P95, sample, n_counties, natural):
    a = yr04.assets / 1000.0
    plans, regressors = {}, {}
    G = rng.lognormal(-2.3 / 2, np.sqrt(2.3), sample.sum())     # mean-one, heavy right tail
    prev = None
    for stat, mean_t in (("min", targets.t5("min_asset_2004_million_rmb")[0]),
                         ("p5", None), ("p10", None)):
        dep = f"{stat}_asset_2004" if stat != "min" else "min_asset_2004"
        lagname = f"{stat}_asset_1995" if stat != "min" else "min_asset_1995"
        lag = stats95[stat][sample]
        Z = np.column_stack([np.ones(sample.sum()), lag, P95["asset"][sample], P95["employment"][sample],
                             P95["output"][sample]])
        columns = []
        for k, (w, c) in enumerate((("asset", 1), ("employment", 2), ("output", 3))):
            columns.append(([0, 1, 2 + k], np.array([np.nan, targets.coef(6, c, dep, lagname),
                                                     targets.coef(6, c, dep, f"proximity_1995_{w}")])))
        theta = cal.solve_signal(Z, columns)
        sig = Z @ theta
        sig = sig - sig.mean()
        regressors[stat] = Z                     # for the small-county correction below
        if mean_t is None:
            mean_t = np.nanmean(natural[stat][sample])
        u = cal.orthogonal_noise(0.15 * (G - 1), Z)
        # the intercept is free (not a paper target): it is raised where needed so that no county's
        # planted value is negative or below the previous statistic, which keeps the OLS exact
        floor = 0.0005 if prev is None else prev + 0.0005
        c0 = max(mean_t, np.max(floor - (sig + u)))
        y = sig + u + c0
        prev = y
        plans[stat] = y
    cid = np.flatnonzero(sample)
    newa, full = _rewrite_asset_bottoms(a, yr04.county, n_counties, cid, plans)
    # Counties with fewer than 31 firms have no ranks of their own at p5 and p10, so only their
    # minimum is planted and their p5 / p10 stay as drawn. Their gaps d from the plan would bias every
    # column's OLS, so the full counties' plans are moved by the least-norm e with Z_full' e = -Z' d
    # (the OLS of the sampled counties is then exact again), and the bottoms rewritten once more.
    # Plans kept from clipping (min < p5 < p10) leave a gap too, so the correction is repeated on what the
    # rewritten assets give (MIN_ASSET_CORRECTION_ROUNDS; each round closes what the clipping of the last left).
    small = ~full[cid]
    if small.any() and (~small).sum() > 10:
        exact = {stat: plans[stat].copy() for stat in ("p5", "p10")}     # plans whose OLS is the paper's
        for _ in range(MIN_ASSET_CORRECTION_ROUNDS):
            realised = county_stats(replace(yr04, assets=newa * 1000.0), n_counties)
            floor = plans["min"]
            for stat in ("p5", "p10"):
                Z = regressors[stat]
                d = realised[stat][cid] - exact[stat]
                Zf = Z[~small]
                e = -Zf @ np.linalg.solve(Zf.T @ Zf, Z.T @ d)
                plans[stat][~small] = np.maximum(plans[stat][~small] + e, floor[~small] + 0.0005)
                floor = plans[stat]
            newa, _ = _rewrite_asset_bottoms(a, yr04.county, n_counties, cid, plans)
    return newa * 1000.0


def _rewrite_asset_bottoms(a, county, n_counties, cid, plans):
    """Assets (million RMB) with each planned county's minimum, and where the county has ranks of its
    own at p5 and p10 (the 'full' counties) its p5 and p10, set to the plans; the values between are
    clipped so the order statistics stay in place. Returns (assets, full county mask)."""
    tmin = np.full(n_counties, np.nan); tmin[cid] = plans["min"]
    tp5 = np.full(n_counties, np.nan); tp5[cid] = plans["p5"]
    tp10 = np.full(n_counties, np.nan); tp10[cid] = plans["p10"]
    order = np.lexsort((a, county))
    c = county[order]
    n = np.bincount(county, minlength=n_counties)
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    rank = np.arange(len(order)) - start[c]
    nn = n[c]
    h5 = (nn - 1) * 0.05; f5 = np.floor(h5).astype(int)
    h10 = (nn - 1) * 0.10; f10 = np.floor(h10).astype(int)
    v = a[order].copy()
    act = np.isfinite(tmin[c])
    lo = np.full(len(v), -np.inf); hi = np.full(len(v), np.inf); fix = np.full(len(v), np.nan)
    full = act & (f5 >= 1) & (f10 >= f5 + 2)
    fix = np.where(act & (rank == 0), tmin[c], fix)
    fix = np.where(full & ((rank == f5) | (rank == f5 + 1)), tp5[c], fix)
    fix = np.where(full & ((rank == f10) | (rank == f10 + 1)), tp10[c], fix)
    lo = np.where(act, tmin[c], lo)
    hi = np.where(full & (rank < f5), tp5[c], hi)
    lo = np.where(full & (rank > f5 + 1), tp5[c], lo)
    hi = np.where(full & (rank > f5 + 1) & (rank < f10), tp10[c], hi)
    lo = np.where(full & (rank > f10 + 1), tp10[c], lo)
    v = np.where(np.isfinite(fix), fix, np.clip(v, lo, hi))
    newa = np.empty_like(a); newa[order] = v
    full_county = np.zeros(n_counties, bool)
    full_county[c[full]] = True
    return newa, full_county
