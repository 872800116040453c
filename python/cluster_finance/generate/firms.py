"""Firm-level variables, the 1995-2004 panel and the planted firm-panel effects (Tables 7, 9, 10)."""
from __future__ import annotations

import numpy as np

from . import calibrate as cal

SHARE_NAMES = ("state_share", "collective_share", "private_share", "hmt_share", "foreign_share")
# (type, full-ownership probability, partial-ownership probability), tuned to Table 5's panel means/SDs
OWNERSHIP_PANEL = {2: (0.13, 0.03), 3: (0.043, 0.038), 4: (0.017, 0.016)}
OWNERSHIP_NEW2004 = {2: (0.45, 0.08), 3: (0.06, 0.03), 4: (0.03, 0.02)}
SE_FLOOR = 0.0005   # the paper prints SEs to 3 decimals: an SE of "0.000" is below half the last digit


def draw_ownership(rng, n, table):
    """Return (type, main share, rest-goes-to) arrays; shares are built by ownership_shares."""
    u = rng.random(n)
    typ = np.where(rng.random(n) < 0.45, 0, 1)            # state or collective by default
    full = np.zeros(n, bool)
    part = np.zeros(n, bool)
    acc = 0.0
    for t, (pf, pp) in table.items():
        f = (u >= acc) & (u < acc + pf); acc += pf
        p = (u >= acc) & (u < acc + pp); acc += pp
        typ = np.where(f | p, t, typ); full |= f; part |= p
    main = np.where(part, rng.uniform(0.1, 0.9, n), 1.0)
    rest_to = np.where(rng.random(n) < 0.5, 0, 1)
    return typ, main, rest_to


def ownership_shares(typ, main, rest_to):
    n = len(typ)
    sh = np.zeros((n, 5))
    sh[np.arange(n), typ] = main
    sh[np.arange(n), rest_to] += 1.0 - main
    return np.round(sh, 4)


def form_panel(rng, c95, u95, c04, u04, lo95, lo04, n_units, n_panel):
    """Link 1995 and 2004 firms of the same harmonised county and industry; choose n_panel links,
    favouring large firms (survivors)."""
    def keyed(c, u):
        cell = c.astype(np.int64) * n_units + u
        order = np.lexsort((rng.random(len(cell)), cell))
        cs = cell[order]
        start = np.r_[0, np.flatnonzero(np.diff(cs)) + 1]
        cnt = np.diff(np.r_[start, len(cs)])
        rank = np.arange(len(cs)) - np.repeat(start, cnt)
        key = np.empty(len(cell), np.int64)
        key[order] = cs * 100000 + rank
        return key
    k95, k04 = keyed(c95, u95), keyed(c04, u04)
    _, i95, i04 = np.intersect1d(k95, k04, assume_unique=True, return_indices=True)
    score = 0.35 * (lo95[i95] + lo04[i04]) + rng.gumbel(size=len(i95))
    pick = np.sort(np.argsort(-score, kind="stable")[: min(n_panel, len(i95))])
    return i95[pick], i04[pick]


def plant_fd(rng, targets, table, cols, dep, D, control_names, dP, sd):
    """Within-firm change of the outcome: dy = D theta + year04 + dP g + u, u orthogonal, so that the
    firm-FE (= first-difference) regression of each paper column returns its point estimates."""
    Z, theta = fd_signal(targets, table, cols, dep, D, control_names, dP)
    u = cal.orthogonal_noise(rng.normal(0, sd, len(Z)), Z)
    return Z @ theta + u


def place_levels(level95, dy, lo, hi):
    """Firm level (absorbed by the fixed effect) moved so that both years stay inside [lo, hi]."""
    y95 = level95.copy()
    y04 = y95 + dy
    below = lo - np.minimum(y95, y04)
    y95 = y95 + np.maximum(below, 0)
    above = np.maximum(y95, y95 + dy) - hi
    y95 = y95 - np.maximum(above, 0)
    y95 = np.clip(y95, lo, hi)
    y04 = np.clip(y95 + dy, lo, hi)
    return y95, y04


def fd_signal(targets, table, cols, dep, D, control_names, dP):
    """(Z, theta): Z = [controls' changes, 1 (year04), dP asset/employment/output] and the signal
    coefficients whose OLS on each paper column's regressors give that column's point estimates (least
    squares over the three columns: they share one signal, see column_targets)."""
    n, m = D.shape
    Z = np.column_stack([D, np.ones(n), dP])
    columns = []
    for k, (w, c) in enumerate(cols):
        names = list(control_names) + ["year04", f"proximity_{w}"]
        columns.append((list(range(m)) + [m, m + 1 + k], np.array([targets.coef(table, c, dep, v) for v in names])))
    return Z, cal.solve_signal(Z, columns)


def _column_rows(Z, which=(-1,)):
    """For each of the three paper columns (regressors: controls, 1, one dP), the rows mapping the
    coefficients of a regression on all of Z to that column's coefficients (which: positions in the
    column's regressor list; -1 = proximity, -2 = year04)."""
    m = Z.shape[1] - 3
    rows = []
    for k in range(3):
        X = Z[:, list(range(m)) + [m + k]]
        P = np.linalg.solve(X.T @ X, X.T @ Z)
        rows.extend(P[j] for j in which)
    return np.array(rows)


def column_targets(targets, table, cols, dep, Z, theta, control_names=None):
    """Coefficients of each column as the signal Z theta gives them, the paper's SEs of the same, and
    their positions in the column's regressors (`which` for the steering functions).  Without
    control_names: (proximity, year04) per column; with them: every coefficient (the controls, year04,
    proximity).  The signal meets the paper's proximity estimates to ~1e-4 and year04 and the controls as
    closely as one signal for the three columns allows (they are not exactly consistent)."""
    if control_names is None:
        which, names = (-1, -2), lambda w: [f"proximity_{w}", "year04"]
    else:
        which, names = tuple(range(len(control_names) + 2)), lambda w: [*control_names, "year04", f"proximity_{w}"]
    se = [targets.se(table, c, dep, v) for w, c in cols for v in names(w)]
    return _column_rows(Z, which) @ theta, np.array(se), which


def steer_binary(rng, e95, e04, Z, tgt, tol, which=(-1, -2), iters=3000):
    """Flip 0/1 statuses (the 2004 one where possible) until the firm-FE linear probability model of
    every paper column (e04 - e95 on its controls, 1 and one dP) returns the targets tgt (the
    coefficients at positions `which` of each column; see column_targets) to within tol.  Each round
    takes the least-norm change delta of dy that would close the gap exactly and flips firm i with
    probability |delta_i| (randomised rounding)."""
    e95 = e95.copy(); e04 = e04.copy()
    ZtZ = Z.T @ Z
    R = _column_rows(Z, which)
    M = Z @ np.linalg.solve(ZtZ, R.T)               # d coefficient / d y_i
    MtM = M.T @ M
    for _ in range(iters):
        dy = e04.astype(float) - e95
        r = tgt - R @ np.linalg.solve(ZtZ, Z.T @ dy)
        if (np.abs(r) < tol).all():
            break
        delta = M @ np.linalg.lstsq(MtM, r, rcond=None)[0]
        flip = rng.random(len(dy)) < np.abs(delta)
        up = flip & (delta > 0) & (dy < 1)
        down = flip & (delta < 0) & (dy > -1)
        # up: start exporting in 2004, else stop in 1995; down: the reverse
        u4 = up & ~e04; u5 = up & e04
        d4 = down & e04; d5 = down & ~e04
        e04 = np.where(u4, True, np.where(d4, False, e04))
        e95 = np.where(u5, False, np.where(d5, True, e95))
    return e95, e04


def set_binary_level(rng, e95, e04, mean, keep=None):
    """Set the pooled two-year mean of a 0/1 status to `mean` by turning firms that have it in both
    years into firms that have it in neither (or the reverse): no first difference changes, so no
    firm-FE coefficient does.  Firms in `keep` (a mask) are left as they are."""
    excess = int(round((e95.sum() + e04.sum() - 2 * mean * len(e95)) / 2))
    free = np.ones(len(e95), bool) if keep is None else ~keep
    pool = np.flatnonzero(e95 & e04 & free) if excess > 0 else np.flatnonzero(~e95 & ~e04 & free)
    pick = rng.choice(pool, min(abs(excess), len(pool)), replace=False)
    e95 = e95.copy(); e04 = e04.copy()
    e95[pick] = e04[pick] = excess < 0
    return e95, e04


def steer_share(y95, y04, e95, e04, Z, tgt, lo, hi, which, tol, mean=None, mean_tol=1e-3, iters=100):
    """Move the shares of the firms that have them (y95 where e95, y04 where e04; 0 elsewhere) inside
    [lo, hi] until the firm-FE OLS of every paper column (y04 - y95 on its controls, 1 and one dP)
    returns the targets tgt (the coefficients at positions `which`, see column_targets) to within tol
    and, if given, the pooled two-year mean is `mean` to within mean_tol.  Returns (y95, y04, rounds,
    largest |gap| / tol).
    Each share is lo + (hi - lo) sigmoid(h); a round is a Gauss-Newton step on the latent h of both years
    (least-norm, each latent moved by at most 1): a share near a bound has a small derivative and so
    moves little, instead of being clipped while the others are pushed ever harder."""
    ZtZ = Z.T @ Z
    R = _column_rows(Z, which)
    M = Z @ np.linalg.solve(ZtZ, R.T)               # d coefficient / d (y04 - y95)_i
    n, k = M.shape
    B04 = M if mean is None else np.column_stack([M, np.full(n, 0.5 / n)])   # d (coefficients, mean) / d y04_i
    B95 = B04.copy(); B95[:, :k] *= -1                                        # ... / d y95_i
    if mean is not None:
        tgt, tol = np.r_[tgt, mean], np.r_[tol, mean_tol]

    def latent(y):
        u = np.clip((y - lo) / (hi - lo), 1e-3, 1 - 1e-3)
        return np.log(u / (1 - u))

    h95, h04 = latent(y95), latent(y04)
    best = None
    for rnd in range(iters + 1):
        s95 = np.where(e95, lo + (hi - lo) * cal.logistic(h95), 0.0)
        s04 = np.where(e04, lo + (hi - lo) * cal.logistic(h04), 0.0)
        got = R @ np.linalg.solve(ZtZ, Z.T @ (s04 - s95))
        r = tgt - (got if mean is None else np.r_[got, (s95.sum() + s04.sum()) / (2 * n)])
        gap = float(np.abs(r / tol).max())
        if best is None or gap < best[3]:
            best = (s95, s04, rnd, gap)
        if gap < 1 or rnd == iters:
            break
        A04 = B04 * np.where(e04, (s04 - lo) * (hi - s04) / (hi - lo), 0.0)[:, None]   # chain rule: d y / d h
        A95 = B95 * np.where(e95, (s95 - lo) * (hi - s95) / (hi - lo), 0.0)[:, None]
        lam = np.linalg.lstsq(A04.T @ A04 + A95.T @ A95, r, rcond=None)[0]
        h04 = h04 + np.clip(A04 @ lam, -1, 1)
        h95 = h95 + np.clip(A95 @ lam, -1, 1)
    return best
