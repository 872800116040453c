"""Tables 7, 9 and 10: the firm panel with firm fixed effects (within estimator), robust standard errors
as the paper's (heteroskedasticity-robust, absorbed effects counted) and, beside them, standard errors
clustered by county, since the regressor of interest varies by county.

Firm age and Year04: age = year - founding year, so with firm fixed effects and two census years it moves
by exactly the year gap inside every firm whose founding year is reported the same in both censuses,
which makes it collinear with Year04.  The estimator detects this; Year04 is kept (the year effect the
paper's other coefficients are net of) and age dropped, and the note says so, with how many firms
(founding year reported differently, or age clamped into var firm_age_range) identify the age
coefficient when it is not dropped."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .estimators import PanelCov, fit_within_covs
from .regtable import Column, Panel, build_table, tidy_rows
from .settings import Settings, single_industry_note

PROXIMITY = [("proximity_asset", "Proximity_asset"), ("proximity_employment", "Proximity_employment"),
             ("proximity_output", "Proximity_output")]
OWNERSHIP = [("private_share", "Private share%"), ("hmt_share", "HMT share%"),
             ("other_foreign_share", "Other foreign share%")]
LABELS = dict(PROXIMITY + OWNERSHIP + [
    ("firm_age", "Firm age"), ("log_sales", "Log(sales)"),
    ("sales_relative_to_industry", "Firm scale (sales / industry average)"), ("debt_asset", "Debt/asset"),
    ("fixed_asset_asset", "Fixed asset/asset"), ("log_labor", "Log(labor)"), ("log_asset", "Log(asset)"),
    ("log_labor_x_year04", "Log(labor)*year04"), ("log_asset_x_year04", "Log(asset)*year04"),
    ("year04", "Year04"), ("const", "Constant")])

# (table, title, [(dependent, panel label)], controls after the proximity measure)
SPECS = {
    7: ("Table 7. Trade credit and proximity at firm level",
        [("accounts_payable_total_debt", "AP/total debt"), ("accounts_receivable_revenue", "AR/revenue")],
        ["firm_age", "log_sales", "debt_asset", "fixed_asset_asset", "private_share", "hmt_share",
         "other_foreign_share", "year04"]),
    9: ("Table 9. Proximity and export",
        [("export_sales", "Export/sales"), ("exporter", "Exporter")],
        ["firm_age", "log_sales", "private_share", "hmt_share", "other_foreign_share", "year04"]),
    10: ("Table 10. Proximity and total factor productivity",
         [("log_value_added1", "Log(value added1)"), ("log_value_added", "Log(value added2)")],
         ["log_labor", "log_asset", "log_labor_x_year04", "log_asset_x_year04", "firm_age", "private_share",
          "hmt_share", "other_foreign_share", "year04"]),
}
SE_TYPES: tuple[PanelCov, ...] = ("hetero", "cluster")
# kept when a set of regressors is collinear (see the module docstring)
KEEP_FIRST = ("year04",)


def prepare(firm_panel: pd.DataFrame) -> pd.DataFrame:
    """The year-2004 interactions of Table 10 (year04 marks the later census year)."""
    d = firm_panel.copy()
    d["log_labor_x_year04"] = d["log_labor"] * d["year04"]
    d["log_asset_x_year04"] = d["log_asset"] * d["year04"]
    return d


def controls(table: int, settings: Settings) -> list[str]:
    """The table's controls; Table 9's firm scale as var table9_firm_scale reads it."""
    out = list(SPECS[table][2])
    if table == 9 and settings.table9_firm_scale == "relative_sales":
        out[out.index("log_sales")] = "sales_relative_to_industry"
    return out


def age_identification(data: pd.DataFrame, early: int, late: int) -> dict:
    """Panel firms with an age in both years, and how many of them age by other than the year gap (only
    they identify an age coefficient next to Year04 and the firm effects)."""
    d = data.loc[data["firm_age"].notna() & data["year"].isin([early, late]), ["panel_id", "year", "firm_age"]]
    wide = d.pivot_table(index="panel_id", columns="year", values="firm_age", aggfunc="first").dropna()
    if early not in wide.columns or late not in wide.columns:
        return {"gap": late - early, "n_firms": 0, "n_other": 0}
    other = int((~np.isclose(wide[late] - wide[early], late - early)).sum())
    return {"gap": late - early, "n_firms": int(len(wide)), "n_other": other}


def age_reason(info: dict) -> str:
    return (f"firm_age: age = year - founding year rises by exactly {info['gap']} years inside every panel "
            f"firm (all {info['n_firms']:,} firms with an age in both years report the same founding year "
            f"and are inside the clamping range), so with firm effects it equals {info['gap']} x Year04; age "
            f"is dropped and Year04 kept (the year effect absorbs the ageing)")


def fit_columns(data: pd.DataFrame, table: int, regressors: Sequence[tuple[int, str, str]],
                table_controls: Sequence[str], cluster: str, age_info: dict | None = None) -> list[Column]:
    """One Column per (column number, dependent, regressor of interest), both standard-error types from
    one fit: heteroskedasticity-robust and clustered by ``cluster``."""
    dep_labels = dict(SPECS[table][1])
    cols = []
    for number, dep, regressor in regressors:
        fits = fit_within_covs(data, dep, [regressor, *table_controls], entity="panel_id",
                               covs=[("hetero", None), ("cluster", cluster)], absorbed_df="count",
                               drop_singletons=True, keep_first=KEEP_FIRST)
        for fit in fits:
            if "firm_age" in fit.omitted and age_info is not None:
                fit.omitted_reasons["firm_age"] = age_reason(age_info)
        cols.append(Column(f"({number})", dict(zip(SE_TYPES, fits)), panel=dep_labels[dep], number=number))
    return cols


def proximity_regressors(table: int) -> list[tuple[int, str, str]]:
    """The paper's columns: each dependent with the asset, employment and output proximity."""
    deps = [d for d, _ in SPECS[table][1]]
    return [(3 * i + j + 1, dep, prox) for i, dep in enumerate(deps) for j, (prox, _) in enumerate(PROXIMITY)]


def panel_table(table: int, data: pd.DataFrame, early: int, late: int, settings: Settings | None = None):
    settings = settings or Settings()
    title = SPECS[table][0]
    table_controls = controls(table, settings)
    info = age_identification(data, early, late)
    cols = fit_columns(data, table, proximity_regressors(table), table_controls, "county_code", info)
    variables = ([(v, LABELS[v]) for v, _ in PROXIMITY] + [(v, LABELS[v]) for v in table_controls]
                 + [("const", "Constant")])
    panel = Panel("Dependent variable", cols, variables)
    lo, hi = settings.firm_age_range
    notes = [f"Firm panel {early}-{late}: firms present in both censuses (matched on firm_id, then on name), "
             f"firm fixed effects absorbed by the within transformation; year04 = 1 in {late}. The constant "
             f"is the average firm effect (data demeaned by firm with the grand mean added back, as Stata "
             f"xtreg/areg and linearmodels report it). Firms with a single usable observation (singletons) "
             f"are dropped before counting observations and degrees of freedom.",
             f"Firm age = census year - founding year, clamped into [{lo}, {hi}] (var firm_age_range, the "
             f"paper's range): a founding year after the census year counts as age {lo}, older firms as "
             f"{hi}. With firm fixed effects and two census years, age moves by exactly {info['gap']} years "
             f"inside every firm whose founding year is reported the same in both censuses, i.e. it is "
             f"collinear with Year04; only the {info['n_other']:,} of {info['n_firms']:,} panel firms with an "
             f"age in both years whose age moved otherwise (founding year reported differently, or clamped) "
             f"identify the age coefficient" + (", so age is omitted and Year04 kept." if info["n_other"] == 0
                                                else "."),
             "Proximity: county proximity of the firm's harmonised county that year (four-digit industries); "
             + single_industry_note(settings)]
    if table == 9:
        notes.append("Firm scale: " + ("Log(sales), as the paper's Table 9 prints it. The paper's text "
                                       "measures it as the ratio of the firm's revenue to its industry's "
                                       "average revenue; var table9_firm_scale = relative_sales uses that "
                                       "(firm_panel.sales_relative_to_industry)."
                                       if settings.table9_firm_scale == "log_sales" else
                                       "sales over the average sales of the firm's 4-digit industry that year "
                                       "(firm_panel.sales_relative_to_industry), as the paper's text defines "
                                       "firm scale; its Table 9 prints Log(sales) (var table9_firm_scale = "
                                       "log_sales, the default)."))
    if table == 10:
        notes.append("Value added1 (VA1): the paper's 'weighted average' of value added by the output and the "
                     "income approach, read as their mean with equal weights, where both are positive; value "
                     "added2 (VA2): the output approach. Under this rule VA1 exists only where VA2 does, so its "
                     "N is at most VA2's: the paper's Table 10 Ns (VA1 104,437 > VA2 103,128) are impossible "
                     "under it (its Table 5, VA1 103,016 < VA2 104,324, fits it; the Table 10 columns may be "
                     "swapped).")
    key = f"table{table}"
    return build_table(key, title, [panel], notes), tidy_rows(table, panel)

