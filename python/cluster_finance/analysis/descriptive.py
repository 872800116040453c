"""Tables 1-5: output by two-digit industry and by province, the sample against the yearbook, province
proximity by year, and summary statistics of the regression variables.  Every descriptive cell goes
through disclosure control (report/disclosure.py)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ..report.disclosure import extreme_mean, fmt, footnote, suppress_small_cells, SUPPRESSED
from ..report.tables import ReportTable
from .estimators import stars

THOUSAND_RMB_PER_TRILLION = 1e9


def output_stats(firms: pd.DataFrame, group_col: str, years: Sequence[int], threshold: int) -> pd.DataFrame:
    """Mean, sample SD (ddof=1) and number of firms of output per group and year, plus the 'Total' group;
    cells of fewer than ``threshold`` firms suppressed (with their complement within the year)."""
    f = firms.loc[firms["year"].isin(years)]
    g = f.groupby([group_col, "year"])["output"].agg(mean="mean", sd="std", n_firms="size").reset_index()
    g = suppress_small_cells(g, "n_firms", ["mean", "sd"], threshold, group_cols=["year"])
    total = f.groupby("year")["output"].agg(mean="mean", sd="std", n_firms="size").reset_index()
    total[group_col] = "Total"
    total = suppress_small_cells(total, "n_firms", ["mean", "sd"], threshold, secondary=False)
    return pd.concat([g, total], ignore_index=True)


def _wide_rows(stats_df: pd.DataFrame, group_col: str, order: list[str], labels: dict[str, list[str]],
               years: Sequence[int]) -> list[list[str]]:
    rows = []
    for code in order + ["Total"]:
        sub = stats_df.loc[stats_df[group_col] == code].set_index("year")
        if sub.empty:
            continue
        row = list(labels.get(code, [code]))
        for y in years:
            if y in sub.index:
                r = sub.loc[y]
                row += [fmt(r["mean"], 0, r["suppressed"], True), fmt(r["sd"], 0, r["suppressed"], True),
                        fmt(r["n_firms"], 0, r["suppressed"], True)]
            else:
                row += ["", "", "0"]
        rows.append(row)
    return rows


def table1(firms: pd.DataFrame, divisions: pd.DataFrame, years: Sequence[int], threshold: int
           ) -> tuple[ReportTable, pd.DataFrame]:
    """firms: (year, division_code, output); divisions: seed cic_divisions (division_code, name_en)."""
    s = output_stats(firms, "division_code", years, threshold)
    names = dict(zip(divisions["division_code"], divisions["name_en"]))
    codes = sorted(set(s["division_code"]) - {"Total"})
    labels = {c: [names.get(c, f"Division {c}")] for c in codes}
    header = ["Industry"] + [f"{h} {y}" for y in years for h in ("Mean", "SD", "No. of firms")]
    notes = ["Gross industrial output in thousands of RMB at current prices; SD is the sample standard "
             "deviation (n-1). Industries are the harmonised two-digit industries (CIC 2002 divisions joined "
             "with the 1994 divisions the concordance maps into them).",
             footnote(threshold)]
    table = ReportTable("table1", "Table 1. Summary statistics of gross industrial output by two-digit industry",
                        header, _wide_rows(s, "division_code", codes, labels, years), notes,
                        rules_after=[len(codes) - 1])
    return table, s.assign(table=1).rename(columns={"division_code": "group"})


def table2(firms: pd.DataFrame, provinces: pd.DataFrame, years: Sequence[int], threshold: int
           ) -> tuple[ReportTable, pd.DataFrame]:
    """firms: (year, province_code, output); provinces: seed (province_code, name_en, abbreviation)."""
    s = output_stats(firms, "province_code", years, threshold)
    info = provinces.set_index("province_code")
    codes = sorted(set(s["province_code"]) - {"Total"})
    labels = {c: ([info.at[c, "name_en"], info.at[c, "abbreviation"]] if c in info.index else [f"Province {c}", ""])
              for c in codes}
    labels["Total"] = ["Total", ""]
    header = ["Province", "Code"] + [f"{h} {y}" for y in years for h in ("Mean", "SD", "No. of firms")]
    notes = ["Gross industrial output in thousands of RMB at current prices, by province of the "
             "harmonised county code.", footnote(threshold)]
    table = ReportTable("table2", "Table 2. Summary statistics of gross industrial output by province",
                        header, _wide_rows(s, "province_code", codes, labels, years), notes,
                        rules_after=[len(codes) - 1])
    return table, s.assign(table=2).rename(columns={"province_code": "group"})


def table3(firms: pd.DataFrame, yearbook: pd.DataFrame | None, years: Sequence[int], threshold: int
           ) -> tuple[ReportTable, pd.DataFrame]:
    """Sample gross output (trillion RMB) per year against yearbook_totals when given."""
    f = firms.loc[firms["year"].isin(years)]
    agg = f.groupby("year")["output"].agg(total="sum", n_firms="size").reset_index()
    agg["sample_output_trillion_rmb"] = agg["total"] / THOUSAND_RMB_PER_TRILLION
    yb = (yearbook.rename(columns={"gross_output_trillion_rmb": "yearbook_output_trillion_rmb"})
          if yearbook is not None and len(yearbook) else
          pd.DataFrame({"year": pd.Series(dtype=int), "yearbook_output_trillion_rmb": pd.Series(dtype=float)}))
    yb = yb.assign(year=yb["year"].astype(int))[["year", "yearbook_output_trillion_rmb"]]
    out = agg.merge(yb, on="year", how="left")
    out["ratio_pct"] = out["sample_output_trillion_rmb"] / out["yearbook_output_trillion_rmb"] * 100
    out = suppress_small_cells(out, "n_firms", ["sample_output_trillion_rmb", "ratio_pct"], threshold,
                               secondary=False)
    rows = [[str(int(r.year)), fmt(r.sample_output_trillion_rmb, 3, r.suppressed),
             fmt(r.yearbook_output_trillion_rmb, 3), fmt(r.ratio_pct, 3, r.suppressed)]
            for r in out.itertuples()]
    notes = ["Gross industrial output, trillions of RMB at current prices. (1) the accepted census firms; "
             "(2) yearbook_totals" + ("" if yb.shape[0] else " (not given: no reference table yearbook_totals)")
             + "."]
    if out["suppressed"].any():
        notes.append(footnote(threshold))
    table = ReportTable("table3", "Table 3. Comparing sample with aggregate data",
                        ["Year", "Sample (1)", "Statistical Yearbook (2)", "(1)/(2)*100%"], rows, notes)
    return table, out[["year", "n_firms", "sample_output_trillion_rmb", "yearbook_output_trillion_rmb",
                       "ratio_pct", "suppressed"]].assign(table=3)


def weighted_difference(values: pd.DataFrame, early: int, late: int) -> dict:
    """Difference of the output-weighted average province proximity, late minus early: WLS of proximity
    on a constant and a late-year dummy with weights = province output, HC1 standard errors.  The dummy's
    coefficient is exactly the difference of the two weighted averages."""
    d = values.loc[values["year"].isin([early, late])].dropna(subset=["proximity", "weight"])
    d = d.loc[d["weight"] > 0]
    X = np.column_stack([np.ones(len(d)), (d["year"] == late).to_numpy(float)])
    res = sm.WLS(d["proximity"].to_numpy(float), X, weights=d["weight"].to_numpy(float)).fit(
        cov_type="HC1", use_t=True)
    coef, se = float(res.params[1]), float(np.sqrt(res.cov_params()[1, 1]))
    p = float(2 * stats.t.sf(abs(coef / se), res.df_resid)) if se > 0 else float("nan")
    return {"difference": coef, "se": se, "p_value": p, "n_obs": int(len(d))}


def table4(province_proximity: pd.DataFrame, provinces: pd.DataFrame, years: Sequence[int], threshold: int
           ) -> tuple[ReportTable, pd.DataFrame]:
    """province_proximity: (year, province_code, proximity, output, n_firms): region_proximity at province
    x 4-digit, weight 'output', with the province's output and firm count from cells."""
    early, late = years[0], years[-1]
    d = province_proximity.loc[province_proximity["year"].isin([early, late])].copy()
    d = suppress_small_cells(d, "n_firms", ["proximity"], threshold, secondary=False)
    d["weight"] = d["output"].astype(float)
    names = provinces.set_index("province_code")["name_en"].to_dict()
    rows = []
    for code in sorted(d["province_code"].unique()):
        row = [names.get(code, f"Province {code}")]
        for y in (early, late):
            r = d.loc[(d["province_code"] == code) & (d["year"] == y)]
            row.append(fmt(r["proximity"].iloc[0], 3, bool(r["suppressed"].iloc[0])) if len(r) else "")
        rows.append(row)
    # the averages and the test use every province (they pool many firms), suppressed ones included
    full = province_proximity.assign(weight=province_proximity["output"].astype(float))
    avg = {}
    for y in (early, late):
        s = full.loc[(full["year"] == y)].dropna(subset=["proximity"])
        s = s.loc[s["weight"] > 0]
        avg[y] = float(np.average(s["proximity"], weights=s["weight"])) if len(s) else float("nan")
    diff = weighted_difference(full, early, late)
    rows.append(["Weighted sample average", fmt(avg[early], 3), fmt(avg[late], 3)])
    rows.append(["Difference", "", f"{diff['difference']:.3f}{stars(diff['p_value'])} ({diff['se']:.3f})"])
    notes = [f"Province industry proximity at the four-digit level, weight = output; weighted average with "
             f"weights = province gross output of the year. Difference {late}-{early}: WLS of proximity on a "
             f"constant and a {late} dummy (weights = output, n = {diff['n_obs']} province-years), "
             f"heteroskedasticity-robust HC1 standard error in parentheses; * 10%, ** 5%, *** 1% (t test).",
             footnote(threshold)]
    table = ReportTable("table4", "Table 4. Regional specialization and proximity (output)",
                        ["Province", str(early), str(late)], rows, notes, rules_after=[len(rows) - 3])
    tidy = d[["year", "province_code", "proximity", "n_firms", "suppressed"]].assign(table=4)
    extra = pd.DataFrame([{"year": y, "province_code": "weighted_average", "proximity": avg[y]} for y in avg]
                         + [{"year": late, "province_code": f"difference_{late}_{early}",
                             "proximity": diff["difference"], "se": diff["se"], "p_value": diff["p_value"]}])
    return table, pd.concat([tidy, extra.assign(table=4)], ignore_index=True)


def summary_row(name: str, values: pd.Series, threshold: int) -> dict:
    v = pd.to_numeric(values, errors="coerce").astype(float)
    v = v[np.isfinite(v)]
    n = int(len(v))
    if n < threshold:
        return {"variable": name, "mean": np.nan, "sd": np.nan, "min": np.nan, "max": np.nan, "n": n,
                "suppressed": True}
    return {"variable": name, "mean": float(v.mean()), "sd": float(v.std(ddof=1)),
            "min": extreme_mean(v, threshold, "min"), "max": extreme_mean(v, threshold, "max"), "n": n,
            "suppressed": False}


COUNTY_WEIGHTS = {"output": "proximity_output", "employment": "proximity_employment",
                  "asset": "proximity_asset"}
FIRM_VARIABLES = [("firm_age", "Firm age"), ("private_share", "Private%"), ("hmt_share", "HMT%"),
                  ("other_foreign_share", "Other foreign%"), ("log_value_added", "Log(value added)"),
                  ("log_value_added1", "Log(value added1)"), ("log_asset", "Log(asset)"),
                  ("log_labor", "Log(employment)"), ("log_sales", "Log(sales)"),
                  ("export_sales", "Export/sales"), ("exporter", "Exporter"),
                  ("accounts_receivable_revenue", "Accounts receivable/revenue"),
                  ("accounts_payable_total_debt", "Accounts payable/total debt"),
                  ("debt_asset", "Debt/asset"), ("fixed_asset_asset", "Fixed asset/asset"),
                  ("state_share", "State%"), ("collective_share", "Collective%"),
                  ("proximity_output", "Proximity (w=output), firm's county"),
                  ("proximity_employment", "Proximity (w=employment), firm's county"),
                  ("proximity_asset", "Proximity (w=asset), firm's county")]


def table5(county_proximity: pd.DataFrame, county_outcomes: pd.DataFrame, firm_panel: pd.DataFrame,
           years: Sequence[int], threshold: int) -> tuple[ReportTable, pd.DataFrame]:
    early, late = years[0], years[-1]
    stats_rows = []
    for y in (late, early):
        cp = county_proximity.loc[county_proximity["year"] == y]
        for w, col in COUNTY_WEIGHTS.items():
            stats_rows.append(("county", f"proximity_{y}_{w}", f"Proximity {y} (w={w})", cp[col]))
    for y in (late, early):
        co = county_outcomes.loc[county_outcomes["year"] == y]
        stats_rows.append(("county", f"min_asset_{y}_million_rmb", f"Minimum asset {y} (in millions)", co["min_asset"]))
        stats_rows.append(("county", f"p5_asset_{y}_million_rmb", f"5th percentile asset {y} (in millions)", co["p5_asset"]))
        stats_rows.append(("county", f"p10_asset_{y}_million_rmb", f"10th percentile asset {y} (in millions)", co["p10_asset"]))
        stats_rows.append(("county", f"log_n_firms_{y}", f"Log(number of firms) {y}",
                           np.log(co["n_firms"].where(co["n_firms"] > 0))))
        stats_rows.append(("county", f"log_n_small_firms_{y}", f"Log(number of small firms) {y}",
                           np.log(co["n_small_firms"].where(co["n_small_firms"] > 0))))
    for col, label in FIRM_VARIABLES:
        if col in firm_panel.columns:
            stats_rows.append(("firm", col, label, firm_panel[col]))
    records = []
    for panel, name, label, values in stats_rows:
        rec = summary_row(name, values, threshold)
        records.append({"panel": panel, "label": label, **rec})
    tidy = pd.DataFrame(records)
    rows, rules = [], []
    for panel, title in (("county", "Panel A: county-level variables"), ("firm", "Panel B: firm-level variables")):
        if rows:
            rules.append(len(rows) - 1)
        rows.append([title, "", "", "", "", ""])
        for r in tidy.loc[tidy["panel"] == panel].itertuples():
            rows.append([r.label, fmt(r.mean, 3, r.suppressed), fmt(r.sd, 3, r.suppressed),
                         fmt(r.min, 3, r.suppressed), fmt(r.max, 3, r.suppressed), f"{r.n:,}"])
    notes = [f"Min and Max are the means of the {threshold} smallest and the {threshold} largest values "
             f"(disclosure control: a single county's or firm's value is never shown). SD is the sample "
             f"standard deviation. Firm-level variables pool both years of the firm panel. HMT: Hong Kong, "
             f"Macao and Taiwan.", footnote(threshold)]
    table = ReportTable("table5", "Table 5. Summary statistics of variables used in regressions",
                        ["Variable", "Mean", "SD", "Min", "Max", "N"], rows, notes, rules_after=rules)
    return table, tidy.assign(table=5)
