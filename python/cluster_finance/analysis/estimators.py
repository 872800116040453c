"""The two estimators of the paper's regressions, with every small-sample choice explicit.

- ``fit_ols``: county cross-sections (Tables 6 and 8), heteroskedasticity-robust HC1 as the paper used.
- ``fit_within``: the firm panel with firm fixed effects (Tables 7, 9, 10), by the within
  transformation.  Plain HC1 on demeaned data divides by n - k, as if the G firm means cost nothing;
  they cost G - 1 degrees of freedom (the constant is one of the k), so the covariance is scaled by
  n / (n - k - (G - 1)) instead (Stata ``areg``; linearmodels ``PanelOLS(..., count_effects=True,
  debiased=True)``).  With two years per firm n ~ 2G, which is why the uncorrected SE is about 30% too
  small.

statsmodels fits both; only its uncorrected sandwich (HC0, or cluster without correction) is taken
from it, and the small-sample factor is applied here, so no library default decides a standard error.
``fit_within_covs`` fits once and returns one result per standard-error type (the robustness grid needs
both for hundreds of regressions).

Collinearity after the within transformation (firm age and Year04: with two census years, age moves by
exactly the year gap inside every firm whose founding year is reported consistently) is detected, not
left to a singular matrix: the dropped regressors are listed in ``FitResult.omitted``, and
``keep_first`` says which regressors to keep when a set is collinear (by default, as Stata, the later
ones are dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

OlsCov = Literal["HC1"]
PanelCov = Literal["hetero", "cluster"]
AbsorbedDf = Literal["count", "ignore"]

CONST = "const"


@dataclass
class FitResult:
    """One fitted regression: coefficients, standard errors and the choices that produced them."""

    dependent: str
    names: list[str]
    params: np.ndarray
    se: np.ndarray
    df_resid: float            # degrees of freedom of the t reference distribution for p-values
    nobs: int
    r_squared: float           # OLS R2; for the within estimator the LSDV R2 (firm effects included), as areg
    estimator: str             # e.g. "OLS", "within (firm FE)"
    cov_label: str             # printed under the table
    r_squared_within: float | None = None
    n_groups: int | None = None      # absorbed firm effects
    n_clusters: int | None = None
    omitted: list[str] = field(default_factory=list)   # dropped as collinear after the transformation
    omitted_reasons: dict[str, str] = field(default_factory=dict)   # why, in words, for the table note

    @property
    def tvalues(self) -> np.ndarray:
        return self.params / self.se

    @property
    def pvalues(self) -> np.ndarray:
        return 2 * stats.t.sf(np.abs(self.tvalues), self.df_resid)

    def coef(self, name: str) -> float:
        return float(self.params[self.names.index(name)])

    def stderr(self, name: str) -> float:
        return float(self.se[self.names.index(name)])

    def conf_ints(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Every coefficient's interval at once (one t quantile)."""
        q = stats.t.ppf(0.5 + level / 2, self.df_resid)
        return self.params - q * self.se, self.params + q * self.se

    def conf_int(self, name: str, level: float = 0.95) -> tuple[float, float]:
        q = stats.t.ppf(0.5 + level / 2, self.df_resid)
        b, s = self.coef(name), self.stderr(name)
        return b - q * s, b + q * s


def _complete(df: pd.DataFrame, columns: Sequence[str], keys: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """The complete cases of ``columns`` as numpy arrays: numeric columns as float (finite values only),
    ``keys`` (entity and cluster identifiers) as integer codes (non-missing only).  Arrays, not a frame:
    the robustness grid calls this hundreds of times and pandas' row filtering of text ids dominated."""
    arrays, mask = {}, np.ones(len(df), bool)
    for c in dict.fromkeys([*columns, *keys]):
        s = df[c]
        if c in keys:
            codes = pd.factorize(s, sort=False)[0]
            mask &= codes >= 0
            arrays[c] = codes
        else:
            values = (s.to_numpy(dtype=float, na_value=np.nan) if pd.api.types.is_numeric_dtype(s)
                      else pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan))
            mask &= np.isfinite(values)
            arrays[c] = values
    return {c: a[mask] for c, a in arrays.items()}


def fit_ols(df: pd.DataFrame, dependent: str, regressors: Sequence[str], *, cov: OlsCov,
            add_constant: bool = True) -> FitResult:
    """OLS on complete cases with HC1 = HC0 * n / (n - k) (k includes the constant), t(n - k) p-values."""
    if cov != "HC1":
        raise ValueError(f"unsupported cov {cov!r} for fit_ols; only 'HC1' is used by the paper")
    data = _complete(df, [dependent, *regressors])
    y = data[dependent]
    X = np.column_stack([data[r] for r in regressors]) if regressors else np.empty((len(y), 0))
    names = list(regressors)
    if add_constant:
        X = np.column_stack([X, np.ones(len(y))])
        names = names + [CONST]
    n, k = X.shape
    if n <= k:
        raise ValueError(f"{dependent}: {n} complete observations for {k} coefficients")
    res = sm.OLS(y, X).fit(method="qr", cov_type="HC1", use_t=True)
    return FitResult(dependent=dependent, names=names, params=np.asarray(res.params),
                     se=np.sqrt(np.diag(np.asarray(res.cov_params()))), df_resid=float(n - k), nobs=n,
                     r_squared=float(res.rsquared), estimator="OLS",
                     cov_label="OLS; heteroskedasticity-robust HC1 standard errors (HC0 x n/(n-k)); "
                               "p-values from t(n-k)")


def _find_collinear(X: np.ndarray, tol: float = 1e-9, order: Sequence[int] | None = None) -> list[int]:
    """Columns that are linear combinations of columns examined before them, as Stata drops them: the
    share of a column's (demeaned) variation left after projecting on the kept columns, from the Gram
    matrix.  Columns are examined in ``order`` (default: left to right), so the later ones are dropped."""
    norms = np.sqrt(np.einsum("ij,ij->j", X, X))
    scaled = X / np.where(norms > 0, norms, 1.0)
    gram = scaled.T @ scaled
    keep: list[int] = []
    drop: list[int] = []
    for j in (range(X.shape[1]) if order is None else order):
        if norms[j] == 0:
            drop.append(j)
            continue
        if keep:
            gk = gram[np.ix_(keep, keep)]
            left = gram[j, j] - gram[j, keep] @ np.linalg.solve(gk, gram[keep, j])
        else:
            left = gram[j, j]
        (keep if left > tol else drop).append(j)
    return sorted(drop)


def fit_within(df: pd.DataFrame, dependent: str, regressors: Sequence[str], *, entity: str,
               cov: PanelCov, cluster: str | None = None, absorbed_df: AbsorbedDf = "count",
               drop_singletons: bool = True, add_constant: bool = True,
               keep_first: Sequence[str] = ()) -> FitResult:
    """Firm fixed effects by the within transformation, fitted with statsmodels.

    Data are demeaned by entity and the grand mean added back (x_it - xbar_i + xbar), so the constant is
    the average firm effect, as Stata's xtreg/areg and linearmodels report it.
    cov='hetero': HC0 x n / (n - k - (G - 1)); cov='cluster': the cluster sandwich x
    g/(g-1) x (n-1)/(n - k - (G - 1)) (k includes the constant, G firms, g clusters; Stata areg
    ``vce(cluster)``).  absorbed_df='ignore' drops the G - 1 term (what plain HC1 on demeaned data does;
    offered only to show the difference).  Singletons (firms with one usable observation) carry no
    within information; with drop_singletons they are removed before counting n and G.
    """
    return fit_within_covs(df, dependent, regressors, entity=entity, covs=[(cov, cluster)],
                           absorbed_df=absorbed_df, drop_singletons=drop_singletons,
                           add_constant=add_constant, keep_first=keep_first)[0]


def fit_within_covs(df: pd.DataFrame, dependent: str, regressors: Sequence[str], *, entity: str,
                    covs: Sequence[tuple[PanelCov, str | None]], absorbed_df: AbsorbedDf = "count",
                    drop_singletons: bool = True, add_constant: bool = True,
                    keep_first: Sequence[str] = ()) -> list[FitResult]:
    """``fit_within`` for several standard-error types at once: one sample (complete in the dependent,
    the regressors, the entity and every cluster column), one statsmodels fit, one FitResult per
    (cov, cluster) in ``covs``, each with its own sandwich and small-sample factor."""
    for cov, cluster in covs:
        if cov not in ("hetero", "cluster"):
            raise ValueError(f"cov must be 'hetero' or 'cluster', not {cov!r}")
        if cov == "cluster" and cluster is None:
            raise ValueError("cov='cluster' needs the cluster column")
    clusters = [c for cov, c in covs if cov == "cluster" and c != entity]
    keys = list(dict.fromkeys([entity, *clusters]))
    data = _complete(df, [dependent, *regressors], keys=keys)
    if drop_singletons:
        size = np.bincount(data[entity])[data[entity]]
        data = {c: a[size > 1] for c, a in data.items()}
    if len(data[dependent]) == 0:
        raise ValueError(f"{dependent}: no complete observations")
    cols = [dependent, *regressors]
    values = np.column_stack([data[c] for c in cols])
    codes, uniques = pd.factorize(data[entity], sort=False)
    G = len(uniques)
    counts = np.bincount(codes, minlength=G).astype(float)
    means = np.zeros((G, values.shape[1]))
    for j in range(values.shape[1]):
        means[:, j] = np.bincount(codes, weights=values[:, j], minlength=G) / counts
    demeaned = values - means[codes]
    transformed = demeaned + values.mean(axis=0)
    y = transformed[:, 0]
    X = transformed[:, 1:]
    names = list(regressors)
    first = [i for i, name in enumerate(names) if name in keep_first]
    order = first + [i for i in range(len(names)) if i not in first]
    omitted_idx = _find_collinear(demeaned[:, 1:], order=order)
    omitted = [names[i] for i in omitted_idx]
    keep = [i for i in range(len(names)) if i not in omitted_idx]
    X = X[:, keep]
    names = [names[i] for i in keep]
    if add_constant:
        X = np.column_stack([X, np.ones(len(y))])
        names.append(CONST)
    n, k = X.shape
    absorbed = (G - 1) if absorbed_df == "count" else 0
    df_resid = n - k - absorbed
    if df_resid <= 0:
        raise ValueError(f"{dependent}: no residual degrees of freedom (n={n}, k={k}, firms={G})")
    # pinv: one SVD of X, which the sandwich reuses (method="qr" adds a QR to that SVD in statsmodels 0.15)
    fitted = sm.OLS(y, X).fit(method="pinv")
    params = np.asarray(fitted.params)
    ssr = float(np.sum((y - X @ params) ** 2))
    tss_within = float(np.sum(demeaned[:, 0] ** 2))
    tss_total = float(np.sum((values[:, 0] - values[:, 0].mean()) ** 2))
    out = []
    for cov, cluster in covs:
        n_clusters = None
        if cov == "hetero":
            sandwich = fitted.get_robustcov_results(cov_type="HC0")
            factor = n / df_resid
            label = ("within estimator, firm fixed effects; heteroskedasticity-robust standard "
                     f"errors HC0 x n/(n-k-(G-1)) (areg; absorbed effects "
                     f"{'counted' if absorbed_df == 'count' else 'NOT counted'}); p-values from t(n-k-(G-1))")
            t_df = float(df_resid)
        else:
            cl_codes = pd.factorize(data[cluster], sort=False)[0]
            n_clusters = int(cl_codes.max()) + 1
            sandwich = fitted.get_robustcov_results(cov_type="cluster", groups=cl_codes, use_correction=False)
            factor = n_clusters / (n_clusters - 1) * (n - 1) / df_resid
            label = (f"within estimator, firm fixed effects; standard errors clustered by {cluster}, "
                     f"sandwich x g/(g-1) x (n-1)/(n-k-(G-1)) (areg vce(cluster)); p-values from t(g-1)")
            t_df = float(n_clusters - 1)
        cov_matrix = np.asarray(sandwich.cov_params()) * factor
        out.append(FitResult(dependent=dependent, names=list(names), params=params.copy(),
                             se=np.sqrt(np.diag(cov_matrix)), df_resid=t_df, nobs=n,
                             r_squared=1 - ssr / tss_total if tss_total > 0 else np.nan,
                             r_squared_within=1 - ssr / tss_within if tss_within > 0 else np.nan,
                             estimator="within (firm fixed effects)", cov_label=label, n_groups=G,
                             n_clusters=n_clusters, omitted=list(omitted)))
    return out


def stars(p: float) -> str:
    """The paper's convention: * 10%, ** 5%, *** 1%."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.10 else ""
