"""Tables 7, 9 and 10: the firm panel with firm fixed effects (within estimator), robust standard errors
as the paper's (heteroskedasticity-robust, absorbed effects counted) and, beside them, standard errors
clustered by county, since the regressor of interest varies by county."""

from __future__ import annotations

import pandas as pd

from .estimators import PanelCov, fit_within
from .regtable import Column, Panel, build_table, tidy_rows

PROXIMITY = [("proximity_asset", "Proximity_asset"), ("proximity_employment", "Proximity_employment"),
             ("proximity_output", "Proximity_output")]
OWNERSHIP = [("private_share", "Private share%"), ("hmt_share", "HMT share%"),
             ("other_foreign_share", "Other foreign share%")]
LABELS = dict(PROXIMITY + OWNERSHIP + [
    ("firm_age", "Firm age"), ("log_sales", "Log(sales)"), ("debt_asset", "Debt/asset"),
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


def prepare(firm_panel: pd.DataFrame) -> pd.DataFrame:
    """The year-2004 interactions of Table 10 (year04 marks the later census year)."""
    d = firm_panel.copy()
    d["log_labor_x_year04"] = d["log_labor"] * d["year04"]
    d["log_asset_x_year04"] = d["log_asset"] * d["year04"]
    return d


def panel_table(table: int, data: pd.DataFrame, early: int, late: int):
    title, deps, controls = SPECS[table]
    cols = []
    for dep, dep_label in deps:
        for prox, _ in PROXIMITY:
            fits = {se: fit_within(data, dep, [prox, *controls], entity="panel_id", cov=se,
                                   cluster="county_code" if se == "cluster" else None,
                                   absorbed_df="count", drop_singletons=True) for se in SE_TYPES}
            cols.append(Column(f"({len(cols) + 1})", fits, panel=dep_label))
    variables = [(v, LABELS[v]) for v, _ in PROXIMITY] + [(v, LABELS[v]) for v in controls] + [("const", "Constant")]
    panel = Panel("Dependent variable", cols, variables)
    notes = [f"Firm panel {early}-{late}: firms present in both censuses (matched on firm_id, then on name), "
             f"firm fixed effects absorbed by the within transformation; year04 = 1 in {late}. The constant "
             f"is the average firm effect (data demeaned by firm with the grand mean added back, as Stata "
             f"xtreg/areg and linearmodels report it). Firms with a single usable observation (singletons) "
             f"are dropped before counting observations and degrees of freedom."]
    key = f"table{table}"
    return build_table(key, title, [panel], notes), tidy_rows(table, panel)
