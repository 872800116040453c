"""A regression table in the paper's layout (coefficient with stars, robust SE in parentheses, clustered SE
in brackets beneath) and the tidy rows of every coefficient."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..report.tables import ReportTable
from .estimators import CONST, FitResult, stars


@dataclass
class Column:
    label: str                    # "(1)"
    fits: dict[str, FitResult]    # SE type -> fit; the first one carries the stars
    panel: str = ""               # dependent-variable panel (Table 6) or group label
    number: int | None = None     # the column's number in the paper's table (default: its position)


@dataclass
class Panel:
    title: str                    # printed as a row above the panel's variables ("" for none)
    columns: list[Column]
    variables: list[tuple[str, str]]     # (name in the fit, label)
    extra_rows: list[list[str]] = field(default_factory=list)


SE_BRACKETS = {0: ("(", ")"), 1: ("[", "]")}


def _coef_rows(panel: Panel, n_cols: int) -> list[list[str]]:
    rows = []
    for name, label in panel.variables:
        if not any(name in c.fits[next(iter(c.fits))].names or name in c.fits[next(iter(c.fits))].omitted
                   for c in panel.columns):
            continue
        coef_row = [label]
        se_rows = [[""] for _ in range(max(len(c.fits) for c in panel.columns))]
        for col in panel.columns:
            fits = list(col.fits.values())
            first = fits[0]
            if name in first.names:
                i = first.names.index(name)
                coef_row.append(f"{first.params[i]:.3f}{stars(first.pvalues[i])}")
                for j, fit in enumerate(fits):
                    o, c = SE_BRACKETS[min(j, 1)]
                    se_rows[j].append(f"{o}{fit.se[fit.names.index(name)]:.3f}{c}")
                for j in range(len(fits), len(se_rows)):
                    se_rows[j].append("")
            elif name in first.omitted:
                coef_row.append("(omitted)")
                for r in se_rows:
                    r.append("")
            else:
                coef_row.append("")
                for r in se_rows:
                    r.append("")
        rows.append(coef_row)
        rows += se_rows
    return rows


def build_table(key: str, title: str, panels: list[Panel], notes: list[str]) -> ReportTable:
    n_cols = len(panels[0].columns)
    header = [""] + [c.label for c in panels[0].columns]
    rows: list[list[str]] = []
    rules: list[int] = []
    for panel in panels:
        if panel.title:
            rows.append([panel.title] + [c.panel for c in panel.columns])
        rows += _coef_rows(panel, n_cols)
        first = [next(iter(c.fits.values())) for c in panel.columns]
        rows.append(["Observations"] + [f"{f.nobs:,}" for f in first])
        rows.append(["R-squared" + (" (with firm effects)" if first[0].n_groups else "")]
                    + [f"{f.r_squared:.2f}" for f in first])
        if any(f.r_squared_within is not None for f in first):
            rows.append(["R-squared (within)"] + [f"{f.r_squared_within:.2f}" for f in first])
            rows.append(["Firms (absorbed effects)"] + [f"{f.n_groups:,}" for f in first])
        clustered = [next((f for f in c.fits.values() if f.n_clusters), None) for c in panel.columns]
        if any(clustered):
            rows.append(["Clusters (counties)"] + [f"{f.n_clusters:,}" if f else "" for f in clustered])
        rows += panel.extra_rows
        rules.append(len(rows) - 1)
    labels = []
    for panel in panels:
        for col in panel.columns:
            for j, (se_type, fit) in enumerate(col.fits.items()):
                o, c = SE_BRACKETS[min(j, 1)]
                text = f"Standard errors in {o}{c}: {fit.cov_label}."
                if text not in labels:
                    labels.append(text)
    omitted = sorted({v for p in panels for c in p.columns for f in c.fits.values() for v in f.omitted})
    reasons = {}
    for p in panels:
        for c in p.columns:
            for f in c.fits.values():
                reasons.update(f.omitted_reasons)
    all_notes = labels + ["Stars from the first standard error shown: * 10%, ** 5%, *** 1%."]
    if omitted:
        all_notes.append("Omitted as collinear with the firm effects and the other regressors: "
                         + ", ".join(omitted) + "."
                         + "".join(f" Why: {reasons[v]}." for v in omitted if v in reasons))
    return ReportTable(key, title, header, rows, all_notes + notes, rules_after=rules)


def tidy_rows(table: int, panel: Panel) -> list[dict]:
    out = []
    for position, col in enumerate(panel.columns, start=1):
        idx = col.number if col.number is not None else position
        for se_type, fit in col.fits.items():
            p = fit.pvalues
            lows, highs = fit.conf_ints()
            for i, name in enumerate(fit.names):
                out.append({"table": table, "column": idx, "dependent": fit.dependent, "variable": name,
                            "coef": fit.params[i], "se": fit.se[i], "se_type": se_type, "p_value": p[i],
                            "ci95_low": lows[i], "ci95_high": highs[i], "n_obs": fit.nobs, "r_squared": fit.r_squared,
                            "r_squared_within": fit.r_squared_within, "n_groups": fit.n_groups,
                            "n_clusters": fit.n_clusters, "estimator": fit.estimator,
                            "cov": fit.cov_label})
            for name in fit.omitted:
                out.append({"table": table, "column": idx, "dependent": fit.dependent, "variable": name,
                            "coef": np.nan, "se": np.nan, "se_type": se_type, "n_obs": fit.nobs,
                            "estimator": fit.estimator, "cov": "omitted (collinear)"})
    return out
