"""Tables 6 and 8: county cross-sections, the later census year on the earlier one, OLS with HC1.

Table 6: min / p5 / p10 asset (million RMB) in the later year on its earlier value and the earlier
proximity of one weight (columns 1-3: asset, employment, output, as the paper orders them), column 4
without proximity.  Table 8: log number of firms (all; small: output < var small_firm_output) in the later
year on the earlier proximity and the earlier log number (columns 1-3 all firms, 4-6 small firms; weights
output, employment, asset).  Counties are the harmonised ones, so merged and split counties compare."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .estimators import fit_ols
from .regtable import Column, Panel, build_table, tidy_rows

WEIGHT_COLUMNS = {"output": "proximity_output", "employment": "proximity_employment", "asset": "proximity_asset"}


def county_wide(county_outcomes: pd.DataFrame, county_proximity: pd.DataFrame, early: int, late: int
                ) -> pd.DataFrame:
    """One row per harmonised county: outcomes of both years and proximity of both years."""
    co = county_outcomes.copy()
    co["log_n_firms"] = np.log(co["n_firms"].astype(float).where(co["n_firms"] > 0))
    co["log_n_small_firms"] = np.log(co["n_small_firms"].astype(float).where(co["n_small_firms"] > 0))
    outcome_cols = ["min_asset", "p5_asset", "p10_asset", "log_n_firms", "log_n_small_firms"]
    parts = []
    for y in (early, late):
        o = co.loc[co["year"] == y, ["county_code", *outcome_cols]].set_index("county_code")
        parts.append(o.add_suffix(f"_{y}"))
        p = county_proximity.loc[county_proximity["year"] == y].set_index("county_code")
        parts.append(pd.DataFrame({f"proximity_{y}_{w}": p[c] for w, c in WEIGHT_COLUMNS.items()}))
    wide = pd.concat(parts, axis=1, join="outer")
    wide.index.name = "county_code"
    return wide.reset_index().astype({c: float for c in wide.columns})


def table6(wide: pd.DataFrame, early: int, late: int):
    panels, tidy = [], []
    for stem, title in (("min_asset", "Dependent variable = minimum asset in {late}"),
                        ("p5_asset", "Dependent variable = 5th percentile asset in {late}"),
                        ("p10_asset", "Dependent variable = 10th percentile asset in {late}")):
        dep, lag = f"{stem}_{late}", f"{stem}_{early}"
        cols = []
        for i, w in enumerate(("asset", "employment", "output", None), start=1):
            regs = [lag] + ([f"proximity_{early}_{w}"] if w else [])
            cols.append(Column(f"({i})", {"HC1": fit_ols(wide, dep, regs, cov="HC1")}))
        label = {"min_asset": "Minimum asset", "p5_asset": "5th percentile asset",
                 "p10_asset": "10th percentile asset"}[stem]
        variables = [(lag, f"{label} in {early}")] + [
            (f"proximity_{early}_{w}", f"Proximity in {early} (w={w})") for w in ("asset", "employment", "output")
        ] + [("const", "Constant")]
        panel = Panel(title.format(late=late), cols, variables)
        panels.append(panel)
        tidy += tidy_rows(6, panel)
    notes = [f"County-level OLS over harmonised counties present in both {early} and {late}. Minimum asset is "
             f"the lowest, the 5th and the 10th percentile (linear interpolation) of total assets among the "
             f"county's firms, in millions of RMB."]
    return build_table("table6", "Table 6. Minimum level of assets and proximity at county level",
                       panels, notes), tidy


def table8(wide: pd.DataFrame, early: int, late: int):
    cols = []
    for i, (stem, w) in enumerate([(s, w) for s in ("log_n_firms", "log_n_small_firms")
                                   for w in ("output", "employment", "asset")], start=1):
        fit = fit_ols(wide, f"{stem}_{late}", [f"proximity_{early}_{w}", f"{stem}_{early}"], cov="HC1")
        cols.append(Column(f"({i})", {"HC1": fit}, panel="All firms" if stem == "log_n_firms" else "Small firms"))
    # the lagged count has a different name in columns 1-3 and 4-6: one row for both, as the paper prints it
    for col in cols:
        for fit in col.fits.values():
            fit.names = [("log_n_lag" if n in (f"log_n_firms_{early}", f"log_n_small_firms_{early}") else n)
                         for n in fit.names]
    variables = [(f"proximity_{early}_{w}", f"Proximity {early} (w={w})") for w in ("output", "employment", "asset")]
    variables += [("log_n_lag", f"Log(number of firms of the column's group) in {early}"), ("const", "Constant")]
    panel = Panel(f"Dependent variable = log(number of firms) in {late}", cols, variables)
    tidy = tidy_rows(8, panel)
    for row in tidy:
        if row["variable"] == "log_n_lag":
            row["variable"] = row["dependent"].replace(f"_{late}", f"_{early}")
    notes = [f"County-level OLS over harmonised counties. Small firms: gross output below the var "
             f"small_firm_output (default 5,000 thousand RMB). Counties with no (small) firm in a year have "
             f"no log count and drop out."]
    return build_table("table8", "Table 8. Effects of proximity on firm number", [panel], notes), tidy
