"""The robustness grid: Tables 6-10 re-estimated with the proximity of every region level (county,
prefecture, province) and every industry level (4, 3, 2 digits), for each weight, and, at the paper's
level (county, four digits), with the conventional regional indices (HHI, Krugman, Gini of location
quotients) in place of proximity.

Each cell is the paper's specification with only the measure swapped:
- Tables 6 and 8 (region cross-sections): at county level the county outcomes; at prefecture and
  province level the same outcomes defined over all firms of the prefecture (province) pooled, from
  region_outcomes: its minimum, 5th and 10th percentile of total assets and its log number of (small)
  firms, the later year on the earlier one and the earlier measure of that level and digits; OLS, HC1.
- Tables 7, 9 and 10 (firm panel, firm fixed effects): the measure of the firm's county, prefecture or
  province that year; robust standard errors and standard errors clustered by the region the measure
  varies over (county, prefecture or province), from one fit.
The marts are read once (region_proximity and region_concentration long, region_outcomes, firm_panel);
one regression per cell (both standard errors of a panel cell from one fit), no loop over firms. The
paper's own cell (county x 4-digit proximity) is the main tables' rows of coefficients.csv, passed in
rather than fitted again. At full scale a firm-panel regression costs about 0.1-0.2 s of CPU (150,000
rows), which is why the conventional indices are run at the paper's level only
(``conventional_cells``)."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from ..report.tables import ReportTable
from . import county, panel
from .estimators import stars
from .regtable import Column, Panel, tidy_rows
from .settings import Settings

LEVELS = ("county", "prefecture", "province")
DIGITS = (4, 3, 2)
PROXIMITY_MEASURES = ("proximity_asset", "proximity_employment", "proximity_output")
CONVENTIONAL_MEASURES = ("hhi", "krugman", "gini")
FIRM_REGION = {"county": "county_code", "prefecture": "prefecture_code", "province": "province_code"}
GRID_COLUMNS = ["region_level", "industry_digits", "measure", "weight"]


def measures_wide(region_measures: pd.DataFrame, level: str, digits: int) -> pd.DataFrame:
    """(region_code, year, proximity_asset, proximity_employment, proximity_output, hhi, krugman, gini)."""
    m = region_measures.loc[(region_measures["region_level"] == level) & (region_measures["industry_digits"] == digits)]
    wide = m.pivot_table(index=["region_code", "year"], columns="measure", values="value", aggfunc="first",
                         dropna=False)
    wide = wide.reindex(columns=[c for c in (*PROXIMITY_MEASURES, *CONVENTIONAL_MEASURES)])
    wide.columns.name = None
    return wide.reset_index()


def _tag(rows: list[dict], level: str, digits: int, measure: str, weight: str) -> list[dict]:
    for row in rows:
        row.update(region_level=level, industry_digits=digits, measure=measure, weight=weight)
    return rows


def _one(table: int, col: Column, early: int, late: int) -> list[dict]:
    p = Panel("", [col], [])
    return county.table8_tidy(p, early, late) if table == 8 else tidy_rows(table, p)


def region_tables(wide: pd.DataFrame, early: int, late: int, level: str, digits: int,
                  proximity: bool = True, conventional: bool = True) -> list[dict]:
    """Tables 6 and 8 for one grid cell (``wide``: region_wide of that level and digits)."""
    rows = []
    specs = []   # (table, column factory, measure, weight)
    for stem, _ in county.TABLE6_DEPENDENTS:
        for i, w in enumerate(county.TABLE6_WEIGHTS if proximity else (), start=1):
            specs.append((6, lambda s=stem, i=i, w=w: county.table6_columns(
                wide, early, late, s, [(i, f"proximity_{early}_{w}")]), "proximity", w))
        if conventional:
            for c in CONVENTIONAL_MEASURES:   # in the place of the output-weighted column (3)
                specs.append((6, lambda s=stem, c=c: county.table6_columns(wide, early, late, s, [(3, f"{c}_{early}")]),
                              c, ""))
    for g, stem in enumerate(county.TABLE8_GROUPS):
        for j, w in enumerate(county.TABLE8_WEIGHTS if proximity else ()):
            specs.append((8, lambda s=stem, n=3 * g + j + 1, w=w: county.table8_columns(
                wide, early, late, [(n, s, f"proximity_{early}_{w}")]), "proximity", w))
        if conventional:
            for c in CONVENTIONAL_MEASURES:   # in the place of the output-weighted column (1 or 4)
                specs.append((8, lambda s=stem, n=3 * g + 1, c=c: county.table8_columns(
                    wide, early, late, [(n, s, f"{c}_{early}")]), c, ""))
    for table, make, measure, weight in specs:
        try:
            cols = make()
        except ValueError:   # too few regions for the regression (e.g. a census with few provinces)
            continue
        for col in cols:
            rows += _tag(_one(table, col, early, late), level, digits, measure, weight)
    return rows


def firm_tables(data: pd.DataFrame, early: int, late: int, level: str, digits: int, settings: Settings,
                proximity: bool = True, conventional: bool = True) -> list[dict]:
    """Tables 7, 9 and 10 for one grid cell (``data``: the firm panel with that cell's measures)."""
    rows = []
    cluster = FIRM_REGION[level]
    weights = {"proximity_asset": "asset", "proximity_employment": "employment", "proximity_output": "output"}
    for table in (7, 9, 10):
        controls = panel.controls(table, settings)
        deps = [d for d, _ in panel.SPECS[table][1]]
        specs = [(number, dep, prox, "proximity", weights[prox])
                 for number, dep, prox in (panel.proximity_regressors(table) if proximity else [])]
        if conventional:
            specs += [(3 * i + 3, dep, c, c, "") for i, dep in enumerate(deps) for c in CONVENTIONAL_MEASURES]
        for number, dep, regressor, measure, weight in specs:
            try:
                cols = panel.fit_columns(data, table, [(number, dep, regressor)], controls, cluster)
            except ValueError:
                continue
            rows += _tag(_one(table, cols[0], early, late), level, digits, measure, weight)
    return rows


def robustness_grid(region_measures: pd.DataFrame, region_outcomes: pd.DataFrame, firm_panel: pd.DataFrame,
                    early: int, late: int, settings: Settings | None = None,
                    main_rows: pd.DataFrame | None = None,
                    conventional_cells: Sequence[tuple[str, int]] = (("county", 4),)) -> pd.DataFrame:
    """Every cell of the grid as tidy rows: coefficients.csv's columns plus region_level, industry_digits,
    measure ('proximity', 'hhi', 'krugman', 'gini') and weight (asset / employment / output for proximity).
    ``firm_panel`` is panel.prepare()d.  ``main_rows``: the main tables' tidy rows (coefficients.csv),
    which are the county x 4-digit proximity cell; without them that cell is fitted here.
    ``conventional_cells``: the (level, digits) at which HHI, Krugman and Gini replace proximity."""
    settings = settings or Settings()
    rows: list[dict] = []
    base = firm_panel.drop(columns=[c for c in (*PROXIMITY_MEASURES, *CONVENTIONAL_MEASURES) if c in firm_panel.columns])
    for level in LEVELS:
        outcomes = region_outcomes.loc[region_outcomes["region_level"] == level]
        for digits in DIGITS:
            measures = measures_wide(region_measures, level, digits)
            if measures.empty:
                continue
            reuse = main_rows is not None and (level, digits) == ("county", 4)
            proximity = not reuse
            conventional = (level, digits) in set(conventional_cells)
            if reuse:
                main = main_rows.loc[main_rows["table"].isin([6, 7, 8, 9, 10])].to_dict("records")
                rows += [r for r in _tag(main, level, digits, "proximity", "") if not _lag_only(r)]
            if not (proximity or conventional):
                continue
            if len(outcomes):
                wide = county.region_wide(outcomes, measures, early, late, settings)
                rows += region_tables(wide, early, late, level, digits, proximity, conventional)
            data = base.merge(measures.rename(columns={"region_code": FIRM_REGION[level]}),
                              on=[FIRM_REGION[level], "year"], how="left")
            rows += firm_tables(data, early, late, level, digits, settings, proximity, conventional)
    grid = pd.DataFrame(rows)
    grid["weight"] = grid.apply(_weight_of, axis=1)
    order = [c for c in grid.columns if c not in GRID_COLUMNS] + GRID_COLUMNS
    return grid[order].reset_index(drop=True)


def _lag_only(row: dict) -> bool:
    """Table 6's column 4 (the lag alone) has no measure to swap: it is not part of the grid."""
    return row["table"] == 6 and row["column"] == 4


def _weight_of(row) -> str:
    """The proximity weight of a row's regression, from its column number (the paper's column order)."""
    if row["measure"] != "proximity":
        return ""
    if row["table"] == 6:
        return county.TABLE6_WEIGHTS[int(row["column"]) - 1]
    if row["table"] == 8:
        return county.TABLE8_WEIGHTS[(int(row["column"]) - 1) % 3]
    return PROXIMITY_MEASURES[(int(row["column"]) - 1) % 3].removeprefix("proximity_")


def key_rows(grid: pd.DataFrame) -> pd.DataFrame:
    """The coefficient of the swapped measure in each cell, with the interval the report uses: HC1 for the
    region tables, clustered by region for the panel tables."""
    g = grid.loc[grid["se_type"].isin(["HC1", "cluster"]) & grid["coef"].notna()]
    is_measure = g["variable"].str.startswith("proximity") | g["variable"].str.fullmatch(
        r"(hhi|krugman|gini)(_\d{4})?")
    return g.loc[is_measure].reset_index(drop=True)


LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}


def grid_summary_table(grid: pd.DataFrame, early: int, late: int) -> ReportTable:
    """Per table and dependent: the paper's cell (county, 4 digits) and how the other cells compare."""
    k = key_rows(grid.loc[grid["measure"] == "proximity"])
    rows = []
    for (table, dep), g in k.groupby(["table", "dependent"], sort=False):
        main = g.loc[(g["region_level"] == "county") & (g["industry_digits"] == 4)]
        sign = 1.0 if main["coef"].mean() >= 0 else -1.0
        cells = []
        for level in LEVELS:
            sub = g.loc[g["region_level"] == level]
            same = int((sub["coef"] * sign > 0).sum())
            signif = int(((sub["coef"] * sign > 0) & ((sub["ci95_low"] > 0) | (sub["ci95_high"] < 0))).sum())
            cells.append(f"{same}/{len(sub)} ({signif})")
        main_text = ", ".join(f"{r.weight[:3]} {r.coef:.3f} ({r.se:.3f})" for r in main.itertuples())
        rows.append([f"Table {table}: {dep}", main_text, *cells])
    notes = ["Each cell of the grid is the paper's specification with only the proximity measure swapped: "
             "proximity of the county, prefecture or province at 4, 3 or 2 digits, for each weight (3 x 3 x 3 = "
             "27 regressions per dependent variable). Columns county/prefecture/province: of that level's 9 "
             "regressions (3 digit levels x 3 weights), how many have the sign of the paper's cell (county, "
             "four digits) and, in parentheses, how many of those have a 95% interval excluding zero. "
             "Intervals: HC1 for Tables 6 and 8; for Tables 7, 9 and 10 clustered by the region the measure "
             "varies over (county, prefecture or province).",
             f"Tables 6 and 8 at prefecture and province level: the outcomes are defined over all firms of the "
             f"prefecture (province) pooled (region_outcomes): its minimum, 5th and 10th percentile of total "
             f"assets and its log number of (small) firms in {late}, on the same outcome in {early} and the "
             f"{early} measure of that level. Tables 7, 9 and 10: the measure of the firm's prefecture "
             f"(province) that year.",
             "Every coefficient of every cell, with both standard errors for the panel tables, is in "
             "reports/robustness.csv; the figure below plots them."]
    return ReportTable("robustness", "Robustness: Tables 6-10 with proximity at every region and industry level",
                       ["Table: dependent", "Paper's cell: county, 4 digits (asset, employment, output)",
                        "County: same sign (5%)", "Prefecture: same sign (5%)", "Province: same sign (5%)"],
                       rows, notes)


def conventional_regressions_table(grid: pd.DataFrame) -> ReportTable:
    """Tables 6-10 at county x 4 digits: the output-weighted proximity column against the same
    specification with HHI, Krugman or the Gini of location quotients in its place."""
    k = key_rows(grid.loc[(grid["region_level"] == "county") & (grid["industry_digits"] == 4)])
    k = k.loc[(k["measure"] != "proximity") | (k["weight"] == "output")]
    rows = []
    for (table, dep), g in k.groupby(["table", "dependent"], sort=False):
        row = [f"Table {table}: {dep}"]
        for measure in ("proximity", *CONVENTIONAL_MEASURES):
            r = g.loc[g["measure"] == measure]
            if r.empty:
                row.append("")
                continue
            r = r.iloc[0]
            row.append(f"{r.coef:.3f}{stars(r.p_value)} ({r.se:.3f})")
        rows.append(row)
    notes = ["County regressions of Tables 6-10 (four-digit industries) with the output-weighted proximity "
             "(the paper's column 3 of Table 6, columns 1 and 4 of Table 8, columns 3 and 6 of Tables 7, 9 and "
             "10) and, in its place, a conventional index of the county's specialisation computed over the "
             "same output; everything else as in the paper. Standard errors: HC1 for Tables 6 and 8, clustered "
             "by county for Tables 7, 9 and 10 (stars from them). The indices are on other scales than "
             "proximity (HHI in (0, 1], Krugman in [0, 2), Gini in [0, 1)): compare signs and significance, "
             "not sizes. A more specialised county has a higher HHI, Krugman index and Gini, whereas a higher "
             "proximity means a county whose industries are closer to each other in the product space.",
             "Every coefficient: reports/robustness.csv (measure = hhi, krugman, gini). They are run at the "
             "paper's level only: at full scale each firm-panel regression costs 0.1-0.2 s of CPU, and the "
             "proximity grid already needs 162 of them (robustness_grid's conventional_cells gives other levels)."]
    return ReportTable("conventional_regressions",
                       "Tables 6-10 with conventional indices in place of proximity (county, four-digit)",
                       ["Table: dependent", "Proximity (w=output)", "HHI", "Krugman", "Gini of LQ"], rows, notes)
