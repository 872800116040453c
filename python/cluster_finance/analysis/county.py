"""Tables 6 and 8: county cross-sections, the later census year on the earlier one, OLS with HC1.

Table 6: min / p5 / p10 asset (million RMB) in the later year on its earlier value and the earlier
proximity of one weight (columns 1-3: asset, employment, output, as the paper orders them), column 4
without proximity.  Table 8: log number of firms (all; small: output < var small_firm_output) in the later
year on the earlier proximity and the earlier log number (columns 1-3 all firms, 4-6 small firms; weights
output, employment, asset).  Counties are the harmonised ones, so merged and split counties compare.

The same specifications run at prefecture and province level for the robustness grid: ``region_wide``
takes region_outcomes at any level (outcomes defined over all firms of the region) and any region
measure (proximity of any digits, or a conventional index) in place of county proximity."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .estimators import fit_ols
from .regtable import Column, Panel, build_table, tidy_rows
from .settings import Settings, single_industry_note

WEIGHT_COLUMNS = {"output": "proximity_output", "employment": "proximity_employment", "asset": "proximity_asset"}
TABLE6_DEPENDENTS = [("min_asset", "Minimum asset"), ("p5_asset", "5th percentile asset"),
                     ("p10_asset", "10th percentile asset")]
TABLE6_WEIGHTS = ("asset", "employment", "output")          # columns 1-3
TABLE8_GROUPS = ("log_n_firms", "log_n_small_firms")        # columns 1-3, 4-6
TABLE8_WEIGHTS = ("output", "employment", "asset")
OUTCOMES = ["min_asset", "p5_asset", "p10_asset", "log_n_firms", "log_n_small_firms"]


def _log_positive(values: pd.Series) -> pd.Series:
    v = values.astype(float)
    return np.log(v.where(v > 0))


def add_log_counts(outcomes: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Table 8's dependent variables as var table8_firm_number reads the paper's 'Log(average number of
    firms)': 'count', the log of the number of firms (of small firms); 'per_industry', the log of the
    number of firms per 4-digit industry present (small firms per industry with small firms)."""
    o = outcomes.copy()
    if settings.table8_firm_number == "per_industry":
        o["log_n_firms"] = _log_positive(o["n_firms"] / o["n_industries"].where(o["n_industries"] > 0))
        o["log_n_small_firms"] = _log_positive(
            o["n_small_firms"] / o["n_small_firm_industries"].where(o["n_small_firm_industries"] > 0))
    else:
        o["log_n_firms"] = _log_positive(o["n_firms"])
        o["log_n_small_firms"] = _log_positive(o["n_small_firms"])
    return o


def region_wide(outcomes: pd.DataFrame, measures: pd.DataFrame, early: int, late: int,
                settings: Settings | None = None) -> pd.DataFrame:
    """One row per region: the outcomes of both years (``{outcome}_{year}``) and every measure column of
    ``measures`` in both years (``{measure}_{year}``; proximity_output -> ``proximity_{year}_output``, the
    names of the paper's tables).  outcomes: (region_code, year, min_asset, p5_asset, p10_asset, n_firms,
    n_small_firms[, n_industries, n_small_firm_industries]); measures: (region_code, year, measures...)."""
    settings = settings or Settings()
    co = add_log_counts(outcomes, settings)
    measure_cols = [c for c in measures.columns if c not in ("region_code", "year")]
    parts = []
    for y in (early, late):
        o = co.loc[co["year"] == y, ["region_code", *OUTCOMES]].set_index("region_code")
        parts.append(o.add_suffix(f"_{y}"))
        m = measures.loc[measures["year"] == y].set_index("region_code")[measure_cols]
        parts.append(m.rename(columns={c: measure_name(c, y) for c in measure_cols}))
    wide = pd.concat(parts, axis=1, join="outer")
    wide.index.name = "region_code"
    return wide.reset_index().astype({c: float for c in wide.columns})


def measure_name(measure: str, year: int) -> str:
    """proximity_output -> proximity_1995_output (the paper's Tables 6 and 8); hhi -> hhi_1995."""
    if measure.startswith("proximity_"):
        return f"proximity_{year}_{measure.removeprefix('proximity_')}"
    return f"{measure}_{year}"


def county_wide(county_outcomes: pd.DataFrame, county_proximity: pd.DataFrame, early: int, late: int,
                settings: Settings | None = None) -> pd.DataFrame:
    """One row per harmonised county: outcomes of both years and proximity of both years."""
    outcomes = county_outcomes.rename(columns={"county_code": "region_code"})
    for col in ("n_industries", "n_small_firm_industries"):
        if col not in outcomes.columns:
            outcomes[col] = np.nan
    measures = county_proximity.rename(columns={"county_code": "region_code"})[
        ["region_code", "year", *WEIGHT_COLUMNS.values()]]
    return region_wide(outcomes, measures, early, late, settings).rename(columns={"region_code": "county_code"})


def table6_columns(wide: pd.DataFrame, early: int, late: int, stem: str,
                   regressors: Sequence[tuple[int, str | None]]) -> list[Column]:
    """Table 6 for one dependent: (column number, measure column or None for the lag alone)."""
    dep, lag = f"{stem}_{late}", f"{stem}_{early}"
    return [Column(f"({number})", {"HC1": fit_ols(wide, dep, [lag] + ([measure] if measure else []), cov="HC1")},
                   number=number)
            for number, measure in regressors]


def table6(wide: pd.DataFrame, early: int, late: int, settings: Settings | None = None):
    settings = settings or Settings()
    panels, tidy = [], []
    for stem, label in TABLE6_DEPENDENTS:
        lag = f"{stem}_{early}"
        regressors = [(i, f"proximity_{early}_{w}") for i, w in enumerate(TABLE6_WEIGHTS, start=1)] + [(4, None)]
        cols = table6_columns(wide, early, late, stem, regressors)
        variables = [(lag, f"{label} in {early}")] + [
            (f"proximity_{early}_{w}", f"Proximity in {early} (w={w})") for w in TABLE6_WEIGHTS
        ] + [("const", "Constant")]
        panel = Panel(f"Dependent variable = {label.lower()} in {late}", cols, variables)
        panels.append(panel)
        tidy += tidy_rows(6, panel)
    percentiles = ("linear interpolation between order statistics, numpy's default (var percentile_method = "
                   "linear; 'stata' gives Stata's summarize/_pctile definition)"
                   if settings.percentile_method == "linear" else
                   "Stata's summarize/_pctile definition (var percentile_method = stata; the default, linear, "
                   "interpolates as numpy does)")
    notes = [f"County-level OLS over harmonised counties present in both {early} and {late}. Minimum asset is "
             f"the lowest, the 5th and the 10th percentile ({percentiles}) of total assets among the county's "
             f"firms, in millions of RMB.",
             "Proximity: four-digit industries; " + single_industry_note(settings)]
    return build_table("table6", "Table 6. Minimum level of assets and proximity at county level",
                       panels, notes), tidy


def table8_columns(wide: pd.DataFrame, early: int, late: int,
                   regressors: Sequence[tuple[int, str, str]]) -> list[Column]:
    """Table 8: (column number, log-count stem, measure column)."""
    cols = []
    for number, stem, measure in regressors:
        fit = fit_ols(wide, f"{stem}_{late}", [measure, f"{stem}_{early}"], cov="HC1")
        # the lagged count has a different name in columns 1-3 and 4-6: one row for both, as the paper prints it
        fit.names = ["log_n_lag" if n == f"{stem}_{early}" else n for n in fit.names]
        cols.append(Column(f"({number})", {"HC1": fit},
                           panel="All firms" if stem == "log_n_firms" else "Small firms", number=number))
    return cols


def table8_tidy(panel: Panel, early: int, late: int) -> list[dict]:
    tidy = tidy_rows(8, panel)
    for row in tidy:
        if row["variable"] == "log_n_lag":
            row["variable"] = row["dependent"].replace(f"_{late}", f"_{early}")
    return tidy


def table8(wide: pd.DataFrame, early: int, late: int, settings: Settings | None = None):
    settings = settings or Settings()
    regressors = [(3 * g + j + 1, stem, f"proximity_{early}_{w}")
                  for g, stem in enumerate(TABLE8_GROUPS) for j, w in enumerate(TABLE8_WEIGHTS)]
    cols = table8_columns(wide, early, late, regressors)
    per_industry = settings.table8_firm_number == "per_industry"
    what = "average number of firms per industry" if per_industry else "number of firms"
    variables = [(f"proximity_{early}_{w}", f"Proximity {early} (w={w})") for w in TABLE8_WEIGHTS]
    variables += [("log_n_lag", f"Log({what} of the column's group) in {early}"), ("const", "Constant")]
    panel = Panel(f"Dependent variable = log({what}) in {late}", cols, variables)
    reading = ("The paper's 'Log(average number of firms)' is read as the log of the county's number of firms "
               "(of small firms in columns 4-6): the text speaks of 'a larger number of firms', and Table 5 "
               "lists the log number of firms. The other reading, the log of the county's average number of "
               "firms per four-digit industry present (small firms per industry with small firms), is var "
               "table8_firm_number = per_industry." if not per_industry else
               "The paper's 'Log(average number of firms)' is read as the log of the county's average number "
               "of firms per four-digit industry present (small firms per industry with small firms; var "
               "table8_firm_number = per_industry). The default reading is the log of the county's number "
               "of firms (table8_firm_number = count), as the text speaks of 'a larger number of firms'.")
    notes = [f"County-level OLS over harmonised counties. Small firms: gross output below the var "
             f"small_firm_output (default 5,000 thousand RMB). Counties with no (small) firm in a year have "
             f"no log count and drop out.", reading,
             "Proximity: four-digit industries; " + single_industry_note(settings)]
    return build_table("table8", "Table 8. Effects of proximity on firm number", [panel], notes), \
        table8_tidy(panel, early, late)

