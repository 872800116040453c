"""On the synthetic census: each planted effect (the paper's point estimate, which the generator plants)
against its estimate and 95% interval.  The paper's table is read at run time from the paper directory
(never copied into the repository); without it the comparison is left out."""

from __future__ import annotations

import pandas as pd

from ..report.tables import ReportTable

# The paper's dependent-variable names where the marts name them differently.
PAPER_DEPENDENT = {"log_value_added": "log_value_added2"}


def paper_regressions() -> pd.DataFrame | None:
    try:
        from ..generate.targets import find_paper_dir
        path = find_paper_dir() / "tables6_10_regressions.csv"
    except Exception:   # generator or paper directory absent: nothing to compare with
        return None
    return pd.read_csv(path) if path.exists() else None


def planted_comparison(coefs: pd.DataFrame, paper: pd.DataFrame) -> pd.DataFrame:
    """One row per planted coefficient: the county regressions' HC1 interval, the panel regressions'
    county-clustered interval (their regressor of interest varies by county)."""
    c = coefs.loc[coefs["se_type"].isin(["HC1", "cluster"]) & coefs["coef"].notna()].copy()
    c["dependent"] = c["dependent"].replace(PAPER_DEPENDENT)
    # the constant is the average firm effect (levels, not an effect) and R2 / N are not planted
    p = paper.loc[~paper["variable"].isin(["r_squared", "n_obs", "const"]), ["table", "column", "dependent", "variable", "coef"]]
    m = c.merge(p.rename(columns={"coef": "planted"}), on=["table", "column", "dependent", "variable"])
    m["covered"] = (m["ci95_low"] <= m["planted"]) & (m["planted"] <= m["ci95_high"])
    return m[["table", "column", "dependent", "variable", "planted", "coef", "se", "se_type", "ci95_low",
              "ci95_high", "covered"]].sort_values(["table", "dependent", "column", "variable"]).reset_index(drop=True)


def planted_table(comparison: pd.DataFrame) -> ReportTable:
    rows = [[f"T{r.table} ({r.column}) {r.dependent}: {r.variable}", f"{r.planted:.3f}", f"{r.coef:.3f}",
             f"{r.se:.3f}", f"[{r.ci95_low:.3f}, {r.ci95_high:.3f}]", "yes" if r.covered else "NO"]
            for r in comparison.itertuples()]
    prox = comparison["variable"].str.startswith("proximity")
    notes = [f"{int(comparison['covered'].sum())} of {len(comparison)} planted coefficients lie inside their 95% "
             f"interval; of the proximity effects, {int(comparison.loc[prox, 'covered'].sum())} of {int(prox.sum())}. "
             f"Intervals: HC1 for Tables 6 and 8, clustered by county for Tables 7, 9 and 10. With 95% intervals "
             f"about one coefficient in twenty is expected outside by chance. Constants are not compared (they are "
             f"the average firm effect or the level of the county outcome, not planted effects)."]
    return ReportTable("planted", "Planted effects of the synthetic census against their estimates",
                       ["Coefficient", "Planted (paper)", "Estimate", "SE", "95% interval", "Inside"], rows, notes)
