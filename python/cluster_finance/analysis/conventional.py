"""The paper's footnote 4: "similar results using other conventional concentration measures, including the
Herfindahl index and Gini coefficient".  A table of the conventional measures in the two census years,
with the change and its standard error, tested as Table 4 is (paired: each region or industry compared
with itself, size-weighted); proximity beside them for comparison.

Regions (region_concentration, four-digit industries): HHI, Krugman's specialisation index against all
manufacturing industries, the Gini of location quotients; weights = the region's gross output.
Industries (industry_concentration, four-digit industries): the locational Gini and Ellison-Glaeser's
gamma, over counties, prefectures or provinces; weights = the industry's gross output."""

from __future__ import annotations

import pandas as pd

from ..report.tables import ReportTable
from .descriptive import paired_difference
from .estimators import stars
from .settings import Settings

LEVELS = ("county", "prefecture", "province")
REGION_MEASURES = [("proximity_output", "Industry proximity (w=output)"), ("hhi", "Herfindahl (HHI)"),
                   ("krugman", "Krugman specialisation index"), ("gini", "Gini of location quotients")]
INDUSTRY_MEASURES = [("locational_gini", "Locational Gini"), ("ellison_glaeser", "Ellison-Glaeser gamma")]
PLURAL = {"county": "counties", "prefecture": "prefectures", "province": "provinces"}


def _summary(values: pd.DataFrame, unit: str, early: int, late: int) -> dict:
    """values: (unit, year, value, weight): the two weighted means and the paired difference."""
    v = values.rename(columns={"value": "proximity"}).dropna(subset=["proximity", "weight"])
    v = v.loc[v["weight"] > 0]
    means = {}
    for y in (early, late):
        s = v.loc[v["year"] == y]
        means[y] = float((s["proximity"] * s["weight"]).sum() / s["weight"].sum()) if len(s) else float("nan")
    diff = paired_difference(v, early, late, unit=unit)
    return {"mean_early": means[early], "mean_late": means[late], "difference": diff["difference"],
            "se": diff["se"], "p_value": diff["p_value"], "n_pairs": diff["n_pairs"]}


def conventional_summary(region_measures: pd.DataFrame, region_sizes: pd.DataFrame,
                         industry_concentration: pd.DataFrame, industry_sizes: pd.DataFrame,
                         early: int, late: int) -> pd.DataFrame:
    """One row per (measure, level): weighted means in both years, the paired difference and its SE.
    region_measures: long (year, region_level, region_code, industry_digits, measure, value);
    region_sizes: (year, region_level, region_code, industry_digits, output);
    industry_concentration: the mart; industry_sizes: (year, industry_digits, industry_code, output)."""
    rows = []
    rm = region_measures.loc[region_measures["industry_digits"] == 4]
    sizes = region_sizes.loc[region_sizes["industry_digits"] == 4, ["year", "region_level", "region_code", "output"]]
    for measure, label in REGION_MEASURES:
        for level in LEVELS:
            v = rm.loc[(rm["measure"] == measure) & (rm["region_level"] == level)]
            v = v.merge(sizes.loc[sizes["region_level"] == level], on=["year", "region_level", "region_code"])
            rows.append({"group": "region", "measure": measure, "label": label, "level": level,
                         **_summary(v.rename(columns={"output": "weight"}), "region_code", early, late)})
    ic = industry_concentration.loc[industry_concentration["industry_digits"] == 4]
    isz = industry_sizes.loc[industry_sizes["industry_digits"] == 4, ["year", "industry_code", "output"]]
    for measure, label in INDUSTRY_MEASURES:
        for level in LEVELS:
            v = ic.loc[ic["region_level"] == level, ["year", "industry_code", measure]].rename(columns={measure: "value"})
            v = v.merge(isz, on=["year", "industry_code"]).rename(columns={"output": "weight"})
            rows.append({"group": "industry", "measure": measure, "label": label, "level": level,
                         **_summary(v, "industry_code", early, late)})
    return pd.DataFrame(rows)


def conventional_table(summary: pd.DataFrame, early: int, late: int, settings: Settings) -> ReportTable:
    rows, rules = [], []
    for group, title in (("region", "Regional specialisation (per region; four-digit industries)"),
                         ("industry", "Geographic concentration (per four-digit industry)")):
        if rows:
            rules.append(len(rows) - 1)
        rows.append([title, "", "", "", "", ""])
        for r in summary.loc[summary["group"] == group].itertuples():
            over = f"{PLURAL[r.level]}" if group == "region" else f"over {PLURAL[r.level]}"
            diff = (f"{r.difference:.4f}{stars(r.p_value)} ({r.se:.4f})" if pd.notna(r.difference) else "")
            rows.append([f"{r.label}, {over}", f"{r.mean_early:.4f}", f"{r.mean_late:.4f}",
                         f"{r.mean_late - r.mean_early:.4f}", diff, f"{r.n_pairs:,}"])
    lo, hi = settings.manufacturing_divisions
    scope = (f"over the manufacturing industries (CIC divisions {lo}-{hi}; var concentration_industries = "
             f"manufacturing): Krugman's index compares a region's industry mix with all manufacturing "
             f"industries of the nation, as the paper (after Krugman 1991) defines it, and the industries' "
             f"benchmark shares are shares of all manufacturing"
             if settings.concentration_industries == "manufacturing" else
             "over all industries of the census, mining and utilities included (var concentration_industries "
             "= all; the default, manufacturing, is the paper's benchmark)")
    eg = ("employment (as Ellison and Glaeser 1997: regions' and the industry's employment shares, the "
          "Herfindahl of its plants' employment; var ellison_glaeser_size = output uses output)"
          if settings.ellison_glaeser_size == "employment" else
          "output (var ellison_glaeser_size = output; the default, employment, is Ellison and Glaeser's)")
    notes = [f"Conventional measures of the paper's footnote 4, computed {scope}. HHI = sum of squared "
             f"industry output shares; Krugman = sum_i |s_ri/s_r - s_i/s|; Gini of location quotients as "
             f"REAT's gini(); locational Gini as EconGeo's locational.Gini() (Krugman 1991), over output; "
             f"Ellison-Glaeser gamma over {eg}. Proximity (county, prefecture, province; four-digit, output "
             f"weight) is shown for comparison.",
             f"Columns {early} and {late}: output-weighted means (regions: the region's output; industries: the "
             f"industry's output), and their difference, which also moves with output shifting between units. "
             f"Paired difference {late}-{early}, as Table 4's: the weighted mean of each region's (industry's) "
             f"own change, weights = the mean of its two years' output shares, with the HC1 standard error of a "
             f"WLS of the change on a constant; * 10%, ** 5%, *** 1%. Pairs: units with the measure in both "
             f"years. A higher HHI, Krugman index or Gini means more specialised regions; a "
             f"higher locational Gini or gamma more concentrated industries.",
             "Tables 6-10 re-estimated with HHI, Krugman and the Gini of location quotients in place of "
             "proximity (county, four digits) are in reports/robustness.csv (measure = hhi, krugman, gini) and "
             "in the table after the robustness figure."]
    return ReportTable("conventional", f"Conventional concentration measures, {early} and {late}",
                       ["Measure", str(early), str(late), f"{late} - {early} (weighted means)",
                        f"Paired difference (SE)", "Pairs"], rows, notes, rules_after=rules)
