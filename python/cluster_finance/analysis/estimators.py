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

    def conf_int(self, name: str, level: float = 0.95) -> tuple[float, float]:
        q = stats.t.ppf(0.5 + level / 2, self.df_resid)
        b, s = self.coef(name), self.stderr(name)
        return b - q * s, b + q * s


def _complete(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    out = df.loc[:, list(dict.fromkeys(columns))].copy()
    for c in out.columns:
        if out[c].dtype == object or str(out[c].dtype).startswith(("string", "str")):
            continue
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    num = [c for c in out.columns if pd.api.types.is_float_dtype(out[c])]
    finite = np.isfinite(out[num].to_numpy(dtype=float)).all(axis=1) if num else np.ones(len(out), bool)
    return out.loc[finite & out.notna().all(axis=1)].reset_index(drop=True)


def fit_ols(df: pd.DataFrame, dependent: str, regressors: Sequence[str], *, cov: OlsCov,
            add_constant: bool = True) -> FitResult:
    """OLS on complete cases with HC1 = HC0 * n / (n - k) (k includes the constant), t(n - k) p-values."""
    if cov != "HC1":
        raise ValueError(f"unsupported cov {cov!r} for fit_ols; only 'HC1' is used by the paper")
    data = _complete(df, [dependent, *regressors])
    y = data[dependent].to_numpy(float)
    X = data[list(regressors)].to_numpy(float)
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


def _find_collinear(X: np.ndarray, tol: float = 1e-9) -> list[int]:
    """Columns (in order) that are linear combinations of earlier ones, as Stata drops them: the share of
    a column's (demeaned) variation left after projecting on the kept columns, from the Gram matrix."""
    norms = np.sqrt(np.einsum("ij,ij->j", X, X))
    scaled = X / np.where(norms > 0, norms, 1.0)
    gram = scaled.T @ scaled
    keep: list[int] = []
    drop: list[int] = []
    for j in range(X.shape[1]):
        if norms[j] == 0:
            drop.append(j)
            continue
        if keep:
            gk = gram[np.ix_(keep, keep)]
            left = gram[j, j] - gram[j, keep] @ np.linalg.solve(gk, gram[keep, j])
        else:
            left = gram[j, j]
        (keep if left > tol else drop).append(j)
    return drop


def fit_within(df: pd.DataFrame, dependent: str, regressors: Sequence[str], *, entity: str,
               cov: PanelCov, cluster: str | None = None, absorbed_df: AbsorbedDf = "count",
               drop_singletons: bool = True, add_constant: bool = True) -> FitResult:
    """Firm fixed effects by the within transformation, fitted with statsmodels.

    Data are demeaned by entity and the grand mean added back (x_it - xbar_i + xbar), so the constant is
    the average firm effect, as Stata's xtreg/areg and linearmodels report it.
    cov='hetero': HC0 x n / (n - k - (G - 1)); cov='cluster': the cluster sandwich x
    g/(g-1) x (n-1)/(n - k - (G - 1)) (k includes the constant, G firms, g clusters; Stata areg
    ``vce(cluster)``).  absorbed_df='ignore' drops the G - 1 term (what plain HC1 on demeaned data does;
    offered only to show the difference).  Singletons (firms with one usable observation) carry no
    within information; with drop_singletons they are removed before counting n and G.
    """
    if cov not in ("hetero", "cluster"):
        raise ValueError(f"cov must be 'hetero' or 'cluster', not {cov!r}")
    if cov == "cluster" and cluster is None:
        raise ValueError("cov='cluster' needs the cluster column")
    keys = [entity] + ([cluster] if cluster and cluster != entity else [])
    data = _complete(df, [dependent, *regressors, *keys])
    if drop_singletons:
        size = data.groupby(entity, sort=False)[dependent].transform("size")
        data = data.loc[size > 1].reset_index(drop=True)
    cols = [dependent, *regressors]
    values = data[cols].to_numpy(float)
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
    omitted_idx = _find_collinear(demeaned[:, 1:])
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
    model = sm.OLS(y, X)
    n_clusters = None
    if cov == "hetero":
        res = model.fit(method="qr", cov_type="HC0")
        factor = n / df_resid
        label = ("within estimator, firm fixed effects; heteroskedasticity-robust standard "
                 f"errors HC0 x n/(n-k-(G-1)) (areg; absorbed effects "
                 f"{'counted' if absorbed_df == 'count' else 'NOT counted'}); p-values from t(n-k-(G-1))")
        t_df = float(df_resid)
    else:
        cl_codes, cl_uniques = pd.factorize(data[cluster], sort=False)
        n_clusters = len(cl_uniques)
        res = model.fit(method="qr", cov_type="cluster", cov_kwds={"groups": cl_codes, "use_correction": False})
        factor = n_clusters / (n_clusters - 1) * (n - 1) / df_resid
        label = (f"within estimator, firm fixed effects; standard errors clustered by {cluster}, "
                 f"sandwich x g/(g-1) x (n-1)/(n-k-(G-1)) (areg vce(cluster)); p-values from t(g-1)")
        t_df = float(n_clusters - 1)
    cov_matrix = np.asarray(res.cov_params()) * factor
    params = np.asarray(res.params)
    ssr = float(np.sum((y - X @ params) ** 2))
    tss_within = float(np.sum(demeaned[:, 0] ** 2))
    tss_total = float(np.sum((values[:, 0] - values[:, 0].mean()) ** 2))
    return FitResult(dependent=dependent, names=names, params=params, se=np.sqrt(np.diag(cov_matrix)),
                     df_resid=t_df, nobs=n, r_squared=1 - ssr / tss_total if tss_total > 0 else np.nan,
                     r_squared_within=1 - ssr / tss_within if tss_within > 0 else np.nan,
                     estimator="within (firm fixed effects)", cov_label=label, n_groups=G,
                     n_clusters=n_clusters, omitted=omitted)


def stars(p: float) -> str:
    """The paper's convention: * 10%, ** 5%, *** 1%."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.10 else ""
