"""The estimators against independent ones: linearmodels PanelOLS for firm fixed effects, a numpy
sandwich for OLS HC1; coefficients to 1e-8 and standard errors to 1e-6 (relative), both SE types."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cluster_finance.analysis.estimators import fit_ols, fit_within, stars

linearmodels = pytest.importorskip("linearmodels")
from linearmodels.panel import PanelOLS  # noqa: E402


def simulated_panel(seed: int, n_firms: int = 400, singletons: int = 25) -> pd.DataFrame:
    """Two-year firm panel, firms nested in 40 counties, county-level regressor, some singletons."""
    rng = np.random.default_rng(seed)
    firm = np.repeat(np.arange(n_firms), 2)
    year04 = np.tile([0, 1], n_firms)
    county = rng.integers(0, 40, n_firms)[firm]
    county_shock = rng.normal(size=(40, 2))
    alpha = rng.normal(size=n_firms)[firm] * 2
    proximity = 0.2 + 0.03 * county_shock[county, year04] + 0.01 * rng.normal(size=len(firm))
    log_sales = alpha + rng.normal(size=len(firm))
    share = rng.uniform(size=len(firm))
    eps = rng.normal(size=len(firm)) * (1 + share) + 0.5 * county_shock[county, 1 - year04]
    y = 1.0 + 0.3 * proximity - 0.1 * log_sales + 0.2 * share + 0.05 * year04 + alpha + eps
    df = pd.DataFrame({"panel_id": firm, "county_code": county.astype(str), "year04": year04,
                       "proximity": proximity, "log_sales": log_sales, "share": share, "y": y})
    # singletons: drop one year of some firms
    drop = rng.choice(n_firms, singletons, replace=False) * 2 + 1
    return df.drop(index=drop).reset_index(drop=True)


REGRESSORS = ["proximity", "log_sales", "share", "year04"]


def linearmodels_fit(df: pd.DataFrame, cov: str):
    data = df.copy()
    data["time"] = data["year04"]
    data = data.set_index(["panel_id", "time"])
    exog = data[REGRESSORS].assign(const=1.0)
    model = PanelOLS(data["y"], exog, entity_effects=True, singletons=False)
    if cov == "hetero":
        return model.fit(cov_type="robust", debiased=True, auto_df=False, count_effects=True)
    clusters = pd.Series(pd.factorize(data["county_code"])[0], index=data.index, name="county")
    return model.fit(cov_type="clustered", clusters=clusters, debiased=True, auto_df=False,
                     count_effects=True, group_debias=True)


@pytest.mark.filterwarnings("ignore::Warning")
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("cov", ["hetero", "cluster"])
def test_within_matches_linearmodels(seed, cov):
    df = simulated_panel(seed)
    ours = fit_within(df, "y", REGRESSORS, entity="panel_id", cov=cov,
                      cluster="county_code" if cov == "cluster" else None)
    ref = linearmodels_fit(df, cov)
    assert ours.nobs == ref.nobs
    for name in REGRESSORS + ["const"]:
        assert ours.coef(name) == pytest.approx(ref.params[name], abs=1e-8)
        assert ours.stderr(name) == pytest.approx(ref.std_errors[name], rel=1e-6)
    assert ours.r_squared_within == pytest.approx(ref.rsquared_within, abs=1e-8)
    assert ours.r_squared == pytest.approx(ref.rsquared_inclusive, abs=1e-8)


def test_within_equals_dummy_variable_ols():
    """The LSDV regression with one dummy per firm gives the same slopes (and its SSR the same R2)."""
    df = simulated_panel(3, n_firms=120, singletons=0)
    ours = fit_within(df, "y", REGRESSORS, entity="panel_id", cov="hetero")
    dummies = pd.get_dummies(df["panel_id"], dtype=float).to_numpy()
    X = np.column_stack([df[REGRESSORS].to_numpy(float), dummies])
    beta, *_ = np.linalg.lstsq(X, df["y"].to_numpy(), rcond=None)
    np.testing.assert_allclose([ours.coef(v) for v in REGRESSORS], beta[:4], atol=1e-8)
    resid = df["y"].to_numpy() - X @ beta
    # HC1 of the LSDV regression (n / (n - K), K = 4 slopes + G dummies) equals our corrected SE
    n, K = X.shape
    XtX_inv = np.linalg.pinv(X.T @ X)
    meat = (X * resid[:, None] ** 2).T @ X
    se_lsdv = np.sqrt(np.diag(XtX_inv @ meat @ XtX_inv) * n / (n - K))[:4]
    np.testing.assert_allclose([ours.stderr(v) for v in REGRESSORS], se_lsdv, rtol=1e-6)
    tss = np.sum((df["y"] - df["y"].mean()) ** 2)
    assert ours.r_squared == pytest.approx(1 - resid @ resid / tss, abs=1e-8)


def test_uncorrected_df_understates_se():
    df = simulated_panel(4, singletons=0)
    good = fit_within(df, "y", REGRESSORS, entity="panel_id", cov="hetero")
    naive = fit_within(df, "y", REGRESSORS, entity="panel_id", cov="hetero", absorbed_df="ignore")
    n, k, G = good.nobs, len(good.names), good.n_groups
    ratio = naive.stderr("proximity") / good.stderr("proximity")
    assert ratio == pytest.approx(np.sqrt((n - k - G + 1) / (n - k)), rel=1e-10)
    assert ratio < 0.75


def test_collinear_regressor_is_omitted():
    """firm_age = year - founding_year moves one for one with year04 inside a firm: omitted, not NaN."""
    df = simulated_panel(5, singletons=0)
    df["firm_age"] = 10 + 9 * df["year04"] + (df["panel_id"] % 7)
    ours = fit_within(df, "y", ["proximity", "log_sales", "firm_age", "year04"], entity="panel_id",
                      cov="hetero")
    assert ours.omitted == ["year04"]
    assert np.all(np.isfinite(ours.se))


def test_ols_hc1_matches_numpy():
    rng = np.random.default_rng(7)
    n = 300
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.uniform(size=n)})
    df["y"] = 1 + 0.5 * df.x1 - 2 * df.x2 + rng.normal(size=n) * (1 + df.x2)
    df.loc[[3, 10], "x1"] = np.nan
    res = fit_ols(df, "y", ["x1", "x2"], cov="HC1")
    d = df.dropna()
    X = np.column_stack([d.x1, d.x2, np.ones(len(d))])
    beta = np.linalg.solve(X.T @ X, X.T @ d.y.to_numpy())
    e = d.y.to_numpy() - X @ beta
    XtX_inv = np.linalg.inv(X.T @ X)
    cov = XtX_inv @ ((X * e[:, None] ** 2).T @ X) @ XtX_inv * len(d) / (len(d) - 3)
    np.testing.assert_allclose(res.params, beta, atol=1e-10)
    np.testing.assert_allclose(res.se, np.sqrt(np.diag(cov)), rtol=1e-8)
    assert res.nobs == n - 2
    assert res.r_squared == pytest.approx(1 - e @ e / np.sum((d.y - d.y.mean()) ** 2))


def test_stars():
    assert [stars(p) for p in (0.001, 0.02, 0.07, 0.2, np.nan)] == ["***", "**", "*", "", ""]
