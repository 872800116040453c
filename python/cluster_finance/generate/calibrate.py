"""Numerical helpers: margins, moment calibration, group quantiles and exact planting of linear
effects (signal solved so each paper column's OLS recovers its point estimates; noise orthogonal)."""
from __future__ import annotations

import numpy as np


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    q = w / w.sum() * total
    f = np.floor(q).astype(np.int64)
    rem = int(total - f.sum())
    if rem > 0:
        order = np.lexsort((np.arange(len(q)), -(q - f)))
        f[order[:rem]] += 1
    return f


def ipf(prior: np.ndarray, rows: np.ndarray, cols: np.ndarray, iters: int = 200) -> np.ndarray:
    m = prior.astype(float).copy()
    for _ in range(iters):
        rs = m.sum(1)
        m *= np.divide(rows, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
        cs = m.sum(0)
        m *= np.divide(cols, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
    return m


def controlled_round(m: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Integer matrix with exactly the given margins, close to m."""
    f = np.floor(m).astype(np.int64)
    rd = rows - f.sum(1)
    cd = cols - f.sum(0)
    frac = (m - f).ravel()
    order = np.argsort(-frac, kind="stable")
    nr, nc = m.shape
    for k in order:
        if frac[k] <= 0:
            break
        i, j = divmod(int(k), nc)
        if rd[i] > 0 and cd[j] > 0:
            f[i, j] += 1; rd[i] -= 1; cd[j] -= 1
    # anything left: pair remaining deficits (prefer cells with positive prior)
    while rd.sum() > 0:
        i = int(np.flatnonzero(rd > 0)[0])
        js = np.flatnonzero(cd > 0)
        j = int(js[np.argmax(m[i, js])])
        f[i, j] += 1; rd[i] -= 1; cd[j] -= 1
    return f


def lognormal_params(mean, sd):
    mean = np.asarray(mean, float); sd = np.asarray(sd, float)
    s2 = np.log1p((sd / mean) ** 2)
    return np.log(mean) - s2 / 2, np.sqrt(s2)


def power_calibrate(x: np.ndarray, group: np.ndarray, mean_t: np.ndarray, sd_t: np.ndarray,
                    iters: int = 12, gmin: float = 0.02, gmax: float = 8.0) -> np.ndarray:
    """x' = c_g x^gamma_g within each group so that the group's mean and SD (ddof=1) hit the
    targets (monotone, keeps positivity).  Newton on R(gamma) = log m2 - 2 log m1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _power_calibrate(x, group, mean_t, sd_t, iters, gmin, gmax)


def _power_calibrate(x, group, mean_t, sd_t, iters, gmin, gmax):
    # Entries of x equal to 0 give log 0 = -inf here and stay 0 (exp(-inf) = 0): no warning needed.
    g = np.asarray(group)
    ng = len(mean_t)
    n = np.bincount(g, minlength=ng).astype(float)
    lx = np.log(x)
    lmax = np.full(ng, -np.inf)
    np.maximum.at(lmax, g, lx)
    l = lx - lmax[g]                      # <= 0
    cv_t = np.asarray(sd_t, float) / np.asarray(mean_t, float)
    r_t = np.log1p(cv_t ** 2 * (n - 1) / np.maximum(n, 1))
    gam = np.ones(ng)
    for _ in range(iters):
        e = np.exp(gam[g] * l)
        e2 = e * e
        s1 = np.bincount(g, e, ng); s2 = np.bincount(g, e2, ng)
        d1 = np.bincount(g, l * e, ng); d2 = np.bincount(g, l * e2, ng)
        r = np.log(s2 / n) - 2 * np.log(s1 / n)
        dr = 2 * d2 / s2 - 2 * d1 / s1
        step = (r - r_t) / np.where(np.abs(dr) > 1e-12, dr, 1e-12)
        new = np.clip(gam - np.clip(step, -0.5, 0.5), gmin, gmax)
        done = np.abs(new - gam).max() < 1e-10     # Newton has converged (or every group is at a bound)
        gam = new
        if done:
            break
    ly = gam[g] * l
    e = np.exp(ly)
    lm = np.log(np.bincount(g, e, ng) / n)
    return np.exp(ly - lm[g] + np.log(mean_t)[g])


def group_quantile(values: np.ndarray, group: np.ndarray, q: float, n_groups: int) -> np.ndarray:
    """Linear-interpolation quantile (numpy default / DuckDB quantile_cont) per group."""
    order = np.lexsort((values, group))
    v = values[order]; gs = group[order]
    n = np.bincount(group, minlength=n_groups)
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    out = np.full(n_groups, np.nan)
    ok = n > 0
    h = (n[ok] - 1) * q
    f = np.floor(h).astype(int); c = np.minimum(f + 1, n[ok] - 1)
    lo = v[start[ok] + f]; hi = v[start[ok] + c]
    out[ok] = lo + (h - f) * (hi - lo)
    return out


def ols(y, X):
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    return beta


def solve_signal(Z: np.ndarray, columns: list[tuple[list[int], np.ndarray]]):
    """Find theta so that for every paper column (regressor indices into Z, target coefficients) the
    OLS of Z@theta on Z[:, idx] gives the targets (least squares over all columns).  Targets given as
    NaN are left free."""
    rows, rhs = [], []
    for idx, tgt in columns:
        X = Z[:, idx]
        proj = np.linalg.solve(X.T @ X, X.T @ Z)        # coefficients of each Z column on X
        for r, t in zip(proj, tgt):
            if np.isfinite(t):
                rows.append(r); rhs.append(t)
    A = np.array(rows); b = np.array(rhs)
    theta, *_ = np.linalg.lstsq(A, b, rcond=None)
    return theta


def logistic(z):
    """1 / (1 + exp(-z)), in the tanh form that cannot overflow for large |z|."""
    return 0.5 * (1 + np.tanh(z / 2))


def orthogonal_noise(raw: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """raw residualised on Z (so it moves no OLS coefficient of any regression on columns of Z)."""
    b = ols(raw, Z)
    return raw - Z @ b


def newton(f, x0, h=0.05, tol=None, iters=20, refresh=4, max_step=1.0, bound=5.0):
    """Root of a smooth f: R^k -> R^k by Newton steps with a forward-difference Jacobian (refreshed
    every `refresh` steps); stops when |f| <= tol componentwise.  Steps are at most max_step long and x
    stays in [-bound, bound] (a small sample can make the target unreachable, and plain Newton then
    runs off to 1e9); returns the best x seen (smallest max |f| / tol) and its f(x)."""
    x = np.asarray(x0, float).copy()
    scale = np.ones(len(x)) if tol is None else np.asarray(tol, float)
    best = None
    for it in range(iters + 1):
        fx = f(x)
        if best is None or np.max(np.abs(fx) / scale) < np.max(np.abs(best[1]) / scale):
            best = (x.copy(), fx)
        if it == iters or (tol is not None and np.all(np.abs(fx) <= tol)):
            break
        if it % refresh == 0:
            J = np.column_stack([(f(x + h * e) - fx) / h for e in np.eye(len(x))])
        step = np.linalg.lstsq(J, fx, rcond=None)[0]
        step *= min(1.0, max_step / max(np.linalg.norm(step), 1e-300))
        x = np.clip(x - step, -bound, bound)
    return best
