"""One command for the whole analysis: read the marts, fit the regressions, write reports/.

    python -m cluster_finance.analysis.run [--warehouse build/warehouse.duckdb] [--reports reports]
                                           [--synthetic | --real]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ..report import writers
from . import conventional, county, descriptive, entry, figures, panel, planted, robustness
from .blas import blas_threads
from .settings import Settings, project_settings, with_values

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Marts:
    """The frames the analysis reads, shaped like the marts (tests build them by hand)."""

    firms: pd.DataFrame               # (year, division_code, province_code, output): accepted firms
    divisions: pd.DataFrame           # seed cic_divisions
    provinces: pd.DataFrame           # seed provinces
    yearbook: pd.DataFrame | None     # (year, gross_output_trillion_rmb)
    region_proximity: pd.DataFrame    # (year, region_level, region_code, proximity, output, n_firms): 4-digit, w=output
    county_proximity: pd.DataFrame
    county_outcomes: pd.DataFrame
    firm_panel: pd.DataFrame
    # every region level and digits, for the robustness grid and the conventional measures (None: derived
    # from the county frames above, county x 4 digits only)
    region_measures: pd.DataFrame | None = None    # (year, region_level, region_code, industry_digits, measure, value)
    region_sizes: pd.DataFrame | None = None       # (year, region_level, region_code, industry_digits, output, n_firms)
    region_outcomes: pd.DataFrame | None = None    # the mart
    industry_concentration: pd.DataFrame | None = None   # the mart
    industry_sizes: pd.DataFrame | None = None     # (year, industry_digits, industry_code, output)
    settings: Settings | None = None               # the warehouse's build_settings over dbt_project.yml's
    # region_industry_complexity at county x 4 digits (year, region_code, industry_code, is_present, density,
    # weight), for the entry section; None when the warehouse has no such mart
    region_complexity: pd.DataFrame | None = None


WEIGHT_MEASURE = {"output": "proximity_output", "employment": "proximity_employment",
                  "total_assets": "proximity_asset"}


def _county_measures(county_proximity: pd.DataFrame) -> pd.DataFrame:
    long = county_proximity.melt(id_vars=["county_code", "year"],
                                 value_vars=["proximity_output", "proximity_employment", "proximity_asset"],
                                 var_name="measure", value_name="value")
    return long.rename(columns={"county_code": "region_code"}).assign(region_level="county", industry_digits=4)


def _county_outcomes_long(county_outcomes: pd.DataFrame) -> pd.DataFrame:
    out = county_outcomes.rename(columns={"county_code": "region_code"}).assign(region_level="county")
    for col in ("n_industries", "n_small_firm_industries"):
        if col not in out.columns:
            out[col] = float("nan")
    return out


def default_min_cell_firms() -> int:
    return project_settings().min_cell_firms


def _seed(con, name: str) -> pd.DataFrame:
    try:
        return con.execute(f"select * from {name}").df()
    except duckdb.Error:
        # the seed not built into this warehouse: the committed CSV is the same table
        return pd.read_csv(REPO_ROOT / "seeds" / f"{name}.csv", dtype=str)


def load_marts(warehouse: Path) -> Marts:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        q = lambda sql: con.execute(sql).df()  # noqa: E731
        # a firm's division is its 2-digit harmonised industry (a component of the concordance cut to 2
        # digits, labelled by its 2002 division), never the first two digits of a 4-digit label
        firms = q("""select firms.census_year as year, divisions.industry_code as division_code,
                            firms.province_code, firms.output
                     from int_firms_harmonised as firms
                     inner join int_industry_harmonised_rollup as divisions
                         on divisions.harmonised_industry_code = firms.harmonised_industry_code
                         and divisions.industry_digits = 2""")
        try:
            yearbook = q("select year, gross_output_trillion_rmb from stg_yearbook_totals")
        except duckdb.Error:
            yearbook = None
        region = q("""select p.year, p.region_level, p.region_code, p.proximity,
                             c.output, c.n_firms
                      from region_proximity p
                      left join (select year, region_level, region_code, sum(output) as output,
                                        sum(n_firms) as n_firms
                                 from cells where industry_digits = 4
                                 group by year, region_level, region_code) c
                        using (year, region_level, region_code)
                      where p.industry_digits = 4 and p.weight = 'output'""")
        # the robustness grid and the conventional measures: every level and digits, read once
        measures = q("""select year, region_level, region_code, industry_digits,
                                 case weight when 'output' then 'proximity_output'
                                             when 'employment' then 'proximity_employment'
                                             else 'proximity_asset' end as measure,
                                 proximity as value
                          from region_proximity
                          union all
                          select year, region_level, region_code, industry_digits, measure, value
                          from region_concentration
                          unpivot (value for measure in (hhi, krugman, gini))""")
        sizes = q("""select year, region_level, region_code, industry_digits, sum(output) as output,
                              sum(n_firms) as n_firms
                       from cells group by year, region_level, region_code, industry_digits""")
        industry_sizes = q("""select year, industry_digits, industry_code, sum(output) as output
                                from cells where region_level = 'province'
                                group by year, industry_digits, industry_code""")
        settings = project_settings()
        try:
            built = dict(con.execute("select setting, value from build_settings").fetchall())
            settings = with_values(settings, built)
        except duckdb.Error:   # a warehouse built before build_settings existed: dbt_project.yml's vars
            pass
        try:
            complexity = entry.load_entry_frame(con)
        except duckdb.Error:
            complexity = None
        return Marts(firms=firms, divisions=_seed(con, "cic_divisions"), provinces=_seed(con, "provinces"),
                     yearbook=yearbook, region_proximity=region,
                     county_proximity=q("select * from county_proximity"),
                     county_outcomes=q("select * from county_outcomes"),
                     firm_panel=q("select * from firm_panel"),
                     region_measures=measures, region_sizes=sizes,
                     region_outcomes=q("select * from region_outcomes"),
                     industry_concentration=q("select * from industry_concentration"),
                     industry_sizes=industry_sizes, settings=settings,
                     region_complexity=complexity)
    finally:
        con.close()


class Progress:
    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.i, self.t0 = total, enabled, 0, time.perf_counter()

    def step(self, what: str) -> None:
        self.i += 1
        if self.enabled:
            print(f"[analyse {self.i}/{self.total} {time.perf_counter() - self.t0:6.1f}s] {what}",
                  file=sys.stderr, flush=True)


def analyse_frames(m: Marts, reports_dir: Path, synthetic: bool | None = None, progress: bool = True,
                   min_cell_firms: int | None = None, settings: Settings | None = None,
                   robustness_grid: bool = True) -> dict:
    """Every table, figure and CSV of the report from the frames of ``m``, written under ``reports_dir``."""
    with blas_threads(1):
        return _analyse(m, Path(reports_dir), synthetic, progress, min_cell_firms, settings, robustness_grid)


def _analyse(m: Marts, reports_dir: Path, synthetic: bool | None, progress: bool, min_cell_firms: int | None,
             settings: Settings | None, robustness_grid: bool) -> dict:
    settings = settings or m.settings or project_settings()
    threshold = settings.min_cell_firms if min_cell_firms is None else int(min_cell_firms)
    years = sorted(int(y) for y in m.firms["year"].unique())
    if len(years) < 2:
        raise ValueError(f"the analysis compares two census years; the warehouse holds {years}")
    early, late = years[0], years[-1]
    reports_dir = Path(reports_dir)
    tables_dir, fig_dir = reports_dir / "tables", reports_dir / "figures"
    bar = Progress(16 + (m.region_complexity is not None), progress)
    tables, tidy_desc, coefs = [], [], []

    bar.step("Tables 1-3: output by industry and province, sample vs yearbook")
    for build, args in ((descriptive.table1, (m.firms, m.divisions)), (descriptive.table2, (m.firms, m.provinces)),
                        (descriptive.table3, (m.firms, m.yearbook))):
        t, tidy = build(*args, years=(early, late), threshold=threshold)
        tables.append(t)
        tidy_desc.append(tidy)
    bar.step("Table 4: province proximity")
    prov = m.region_proximity.loc[m.region_proximity["region_level"] == "province"].rename(
        columns={"region_code": "province_code"})
    t, tidy = descriptive.table4(prov, m.provinces, (early, late), threshold)
    tables.append(t)
    tidy_desc.append(tidy)
    bar.step("Table 5: summary statistics")
    fp = panel.prepare(m.firm_panel)
    t, tidy = descriptive.table5(m.county_proximity, m.county_outcomes, fp, (early, late), threshold, settings)
    tables.append(t)
    tidy_desc.append(tidy)

    wide = county.county_wide(m.county_outcomes, m.county_proximity, early, late, settings)
    bar.step("Table 6: minimum capital (county OLS, HC1)")
    t, rows = county.table6(wide, early, late, settings)
    tables.append(t)
    coefs += rows
    for number in (7, 9, 10):
        bar.step(f"Table {number}: firm fixed effects (robust and county-clustered SEs)")
        t, rows = panel.panel_table(number, fp, early, late, settings)
        tables.append(t)
        coefs += rows
        if number == 7:
            bar.step("Table 8: firm numbers (county OLS, HC1)")
            t8, rows8 = county.table8(wide, early, late, settings)
            tables.append(t8)
            coefs += rows8
    tables.sort(key=lambda t: int(t.key.removeprefix("table")))

    bar.step("Figures 1-2: prefecture and county proximity")
    fig_paths = []
    for number, level, title in ((1, "prefecture", "Figure 1. Industry proximity within prefecture"),
                                 (2, "county", "Figure 2. Industry proximity within county")):
        pairs = figures.scatter_pairs(m.region_proximity.loc[m.region_proximity["region_level"] == level],
                                      early, late, threshold)
        path = figures.plot_proximity(pairs, level, early, late, f"{title} ({early} vs. {late})",
                                      fig_dir / f"figure{number}.png")
        fig_paths.append((f"{title} ({early} vs. {late}), output weight; {len(pairs):,} {figures.PLURAL[level]} with at "
                          f"least {threshold} firms in both years.", path))

    extra_tables: list = []
    region_measures = m.region_measures if m.region_measures is not None else _county_measures(m.county_proximity)
    region_outcomes = (m.region_outcomes if m.region_outcomes is not None
                       else _county_outcomes_long(m.county_outcomes))
    grid = None
    if robustness_grid:
        bar.step("Robustness grid: Tables 6-10 at every region level, industry digits and weight")
        grid = robustness.robustness_grid(region_measures, region_outcomes, fp, early, late, settings,
                                          main_rows=pd.DataFrame(coefs))
        writers.write_csv(grid, reports_dir / "robustness.csv")
        extra_tables.append(robustness.grid_summary_table(grid, early, late))
        keys = robustness.key_rows(grid.loc[grid["measure"] == "proximity"])
        fig = figures.plot_robustness(keys, fig_dir / "robustness_grid.png")
        extra_tables.append((f"Robustness. The proximity coefficient of Tables 6-10 with its 95% interval (HC1 for "
                             f"Tables 6 and 8, clustered by the measure's region for Tables 7, 9 and 10) for every "
                             f"region level, industry digits and weight; the paper's cell (county, 4 digits) in "
                             f"bold. Every coefficient: reports/robustness.csv.", fig))
        extra_tables.append(robustness.conventional_regressions_table(grid))
    if m.region_sizes is not None and m.industry_concentration is not None and m.industry_sizes is not None:
        bar.step("Conventional measures (the paper's footnote 4)")
        summary_conv = conventional.conventional_summary(region_measures, m.region_sizes, m.industry_concentration,
                                                         m.industry_sizes, early, late)
        writers.write_csv(summary_conv, reports_dir / "conventional_measures.csv")
        conv_table = conventional.conventional_table(summary_conv, early, late, settings)
        extra_tables.insert(0, conv_table)

    entry_found = None
    if m.region_complexity is not None and {early, late} <= set(m.region_complexity["year"].unique()):
        bar.step("Relatedness and entry (county x 4-digit LPM, county and industry effects)")
        entry_found = entry.entry_analysis(m.region_complexity, early, late, fig_dir / "entry_by_density.png")
        extra_tables.append(entry_found["table"])
        extra_tables.append((f"Entry rate by decile of relatedness density: county x 4-digit industries absent "
                             f"in {early}, present in {late}.", entry_found["figure"]))

    bar.step("Writing Markdown, LaTeX and CSV")
    files = {t.key: writers.write_table(t, tables_dir) for t in tables}
    for t in extra_tables:
        if not isinstance(t, tuple):
            files[t.key] = writers.write_table(t, tables_dir)
    if entry_found is not None:
        files["entry"]["csv"] = writers.write_csv(entry_found["deciles"], tables_dir / "entry_by_density.csv")
    coef_frame = pd.DataFrame(coefs)
    writers.write_csv(coef_frame, reports_dir / "coefficients.csv")
    for tidy in tidy_desc:
        key = f"table{int(tidy['table'].iloc[0])}"
        files[key]["csv"] = writers.write_csv(tidy, tables_dir / f"{key}.csv")
    for t in tables:
        if "csv" not in files[t.key]:
            n = int(t.key.removeprefix("table"))
            files[t.key]["csv"] = writers.write_csv(coef_frame.loc[coef_frame["table"] == n], tables_dir / f"{t.key}.csv")

    if synthetic:
        paper = planted.paper_regressions()
        if paper is not None:
            comparison = planted.planted_comparison(coef_frame, paper)
            writers.write_csv(comparison, reports_dir / "planted_effects.csv")
            extra_tables.append(planted.planted_table(comparison))
            files["planted"] = writers.write_table(extra_tables[-1], tables_dir)

    bar.step("Writing the HTML report")
    summary = [f"Census years compared: {early} and {late}.",
               f"Accepted firms: {int((m.firms['year'] == early).sum()):,} in {early}, "
               f"{int((m.firms['year'] == late).sum()):,} in {late}; firm panel: "
               f"{m.firm_panel['panel_id'].nunique():,} firms.",
               f"Disclosure control: no descriptive cell is built from fewer than {threshold} firms "
               f"(var min_cell_firms)."]
    html_path = writers.write_html(reports_dir / "report.html", tables, fig_paths, synthetic, summary,
                                   extra_tables=extra_tables)
    bar.step(f"Done: {html_path}")
    extra_keys = {t.key for t in extra_tables if not isinstance(t, tuple)}
    return {"report": html_path, "tables": {k: v for k, v in files.items() if k not in extra_keys},
            "extra_tables": {k: v for k, v in files.items() if k in extra_keys and k != "planted"},
            "planted": files.get("planted"), "figures": [p for _, p in fig_paths],
            "robustness_figure": fig_dir / "robustness_grid.png" if grid is not None else None,
            "coefficients": reports_dir / "coefficients.csv", "coefficient_frame": coef_frame,
            "robustness": reports_dir / "robustness.csv" if grid is not None else None, "robustness_frame": grid,
            "years": (early, late), "min_cell_firms": threshold, "synthetic": synthetic, "settings": settings}


def run_analysis(warehouse: Path, reports_dir: Path, synthetic: bool | None = None, progress: bool = True,
                 min_cell_firms: int | None = None) -> dict:
    """Read the marts of ``warehouse`` and write every table, figure and the HTML report to ``reports_dir``."""
    if progress:
        print(f"[analyse] reading marts from {warehouse}", file=sys.stderr, flush=True)
    marts = load_marts(Path(warehouse))
    return analyse_frames(marts, Path(reports_dir), synthetic=synthetic, progress=progress,
                          min_cell_firms=min_cell_firms)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="analyse", description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=REPO_ROOT / "build" / "warehouse.duckdb")
    parser.add_argument("--reports", type=Path, default=REPO_ROOT / "reports")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--synthetic", dest="synthetic", action="store_true", default=None)
    group.add_argument("--real", dest="synthetic", action="store_false")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    out = run_analysis(args.warehouse, args.reports, synthetic=args.synthetic, progress=not args.quiet)
    print(f"report: {out['report']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
