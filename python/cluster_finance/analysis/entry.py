"""Relatedness predicts entry (beyond the paper; issue 16): does a county enter the industries near what it has?

The sample: county x 4-digit industry pairs a county lacked in the earlier census (M = 0) with relatedness
density defined (the industry has a traded product), both in that year's and the later year's rectangle of
region_industry_complexity (harmonised counties and industries, so the years compare). Entry = M = 1 in the
later census. A linear probability model with county and industry fixed effects,

    entry(c,i) = beta * density_early(c,i) + a_c + b_i + e(c,i),

as in Hidalgo et al. (2007, Science) and Neffke, Henning and Boschma (2011, Economic Geography), fitted by
absorbing both sets of effects (pyhdfe, alternating projections) and OLS on the residuals; standard errors
clustered by county, CR1 with G / (G - 1) * (N - 1) / (N - K), K counting every absorbed effect (what OLS
with the dummies reports). And the entry rate by decile of density, the literature's figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..report.tables import ReportTable  # noqa: E402


@dataclass
class EntryFit:
    coefficient: float
    standard_error: float
    n_obs: int
    n_counties: int
    n_industries: int
    entry_rate: float
    density_sd: float


def entry_sample(complexity: pd.DataFrame, early: int, late: int) -> pd.DataFrame:
    """complexity: rows of region_industry_complexity at county x 4 digits (year, region_code, industry_code,
    is_present, density). One row per pair absent in `early` and observed in both years."""
    keys = ["region_code", "industry_code"]
    before = complexity.loc[complexity["year"] == early, keys + ["is_present", "density"]]
    after = complexity.loc[complexity["year"] == late, keys + ["is_present"]]
    pairs = before.merge(after, on=keys, suffixes=("_early", "_late"))
    pairs = pairs.loc[~pairs["is_present_early"].astype(bool) & pairs["density"].notna()]
    return pd.DataFrame({"county": pairs["region_code"].to_numpy(), "industry": pairs["industry_code"].to_numpy(),
                         "density": pairs["density"].to_numpy(float),
                         "entry": pairs["is_present_late"].astype(float).to_numpy()})


def fit_entry(sample: pd.DataFrame) -> EntryFit:
    """The two-way fixed-effects LPM of entry on density, SE clustered by county (module docstring)."""
    import pyhdfe

    counties = pd.factorize(sample["county"])[0]
    industries = pd.factorize(sample["industry"])[0]
    algorithm = pyhdfe.create(np.column_stack([counties, industries]), drop_singletons=False,
                              residualize_method="map", options={"tol": 1e-14, "iteration_limit": 100_000})
    y, x = algorithm.residualize(sample[["entry", "density"]].to_numpy(float)).T
    beta = float(x @ y / (x @ x))
    residual = y - beta * x
    n, groups = len(sample), counties.max() + 1
    k = 1 + algorithm.degrees  # the slope and every absorbed effect
    scores = np.bincount(counties, weights=x * residual)
    variance = (scores @ scores) / (x @ x) ** 2 * groups / (groups - 1) * (n - 1) / (n - k)
    return EntryFit(coefficient=beta, standard_error=float(np.sqrt(variance)), n_obs=n, n_counties=int(groups),
                    n_industries=int(industries.max() + 1), entry_rate=float(sample["entry"].mean()),
                    density_sd=float(sample["density"].std()))


def entry_by_decile(sample: pd.DataFrame) -> pd.DataFrame:
    """Entry rate and number of pairs by decile of density (ties kept together)."""
    ranks = sample["density"].rank(method="average", pct=True)
    decile = np.minimum((ranks * 10).apply(np.ceil).astype(int), 10)
    grouped = sample.assign(decile=decile).groupby("decile")
    return pd.DataFrame({"decile": grouped.size().index, "n_pairs": grouped.size().to_numpy(),
                         "mean_density": grouped["density"].mean().to_numpy(),
                         "entry_rate": grouped["entry"].mean().to_numpy()})


def plot_entry(deciles: pd.DataFrame, early: int, late: int, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(5.5, 4.0), dpi=110)
    ax.bar(deciles["decile"], 100 * deciles["entry_rate"], color="#1f5f8b")
    ax.set_xticks(deciles["decile"])
    ax.set_xlabel(f"Decile of relatedness density, {early}")
    ax.set_ylabel(f"Entry rate by {late} (%)")
    ax.set_title(f"Entry into industries a county lacked in {early}\nby the density around them", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def entry_table(fit: EntryFit, deciles: pd.DataFrame, early: int, late: int, weight: str) -> ReportTable:
    se = fit.standard_error
    rows = [["Relatedness density (0-1)", f"{fit.coefficient:.4f}", f"({se:.4f})"],
            ["  per standard deviation of density", f"{fit.coefficient * fit.density_sd:.4f}",
             f"({se * fit.density_sd:.4f})"],
            ["Mean entry rate", f"{fit.entry_rate:.4f}", ""],
            ["Observations (county x industry pairs)", f"{fit.n_obs:,}", ""],
            ["Counties / industries (fixed effects)", f"{fit.n_counties:,} / {fit.n_industries:,}", ""]]
    rows += [[f"Entry rate, density decile {int(d.decile)} (mean density {d.mean_density:.3f})",
              f"{d.entry_rate:.4f}", f"n = {int(d.n_pairs):,}"] for d in deciles.itertuples()]
    notes = [f"Linear probability model: entry = 1 if a county x 4-digit industry absent in {early} (location "
             f"quotient at most 1, {weight} weight) is present in {late}; regressor: its relatedness density "
             f"in {early} over the industry proximity (region_industry_complexity). County and industry fixed "
             f"effects absorbed; standard errors clustered by county, CR1 with every absorbed effect counted.",
             "Pairs whose industry has no traded product (no proximity) are left out."]
    return ReportTable(key="entry", title=f"Relatedness and entry, {early}-{late}", header=["", "Estimate", "SE"],
                       rows=rows, notes=notes, rules_after=[4])


def load_entry_frame(con, early: int | None = None, late: int | None = None) -> pd.DataFrame:
    return con.execute("""select year, region_code, industry_code, is_present, density, weight
                          from region_industry_complexity
                          where region_level = 'county' and industry_digits = 4""").df()


def entry_analysis(complexity: pd.DataFrame, early: int, late: int, figure_path: Path) -> dict:
    sample = entry_sample(complexity, early, late)
    fit = fit_entry(sample)
    deciles = entry_by_decile(sample)
    weight = str(complexity["weight"].iloc[0]) if "weight" in complexity and len(complexity) else "output"
    return {"fit": fit, "deciles": deciles, "table": entry_table(fit, deciles, early, late, weight),
            "figure": plot_entry(deciles, early, late, figure_path)}
