"""Figures 1-2: prefecture and county proximity (output weight, four-digit), earlier census year against
the later one, with the 45-degree line: points above it became more clustered.  And the robustness
figure: the proximity coefficient of Tables 6-10 with its 95% interval across the grid of region levels,
industry digits and weights, one panel per table."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

PLURAL = {"county": "counties", "prefecture": "prefectures", "province": "provinces"}


def scatter_pairs(region_proximity: pd.DataFrame, early: int, late: int, threshold: int) -> pd.DataFrame:
    """region_proximity: (year, region_code, proximity, n_firms) for one level.  One row per region with
    both years' proximity; a region built from fewer than ``threshold`` firms in either year is not plotted
    (disclosure control)."""
    d = region_proximity.dropna(subset=["proximity"])
    d = d.loc[d["n_firms"] >= threshold]
    wide = d.pivot_table(index="region_code", columns="year", values="proximity", aggfunc="first")
    if early not in wide.columns or late not in wide.columns:
        return pd.DataFrame(columns=["region_code", "proximity_early", "proximity_late"])
    wide = wide[[early, late]].dropna()
    return pd.DataFrame({"region_code": wide.index, "proximity_early": wide[early].to_numpy(),
                         "proximity_late": wide[late].to_numpy()})


def plot_proximity(pairs: pd.DataFrame, level: str, early: int, late: int, title: str, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(5.5, 5.5), dpi=110)
    x, y = pairs["proximity_early"].to_numpy(float), pairs["proximity_late"].to_numpy(float)
    ax.scatter(x, y, s=8 if level == "county" else 14, alpha=0.5, color="#1f5f8b", edgecolors="none")
    both = np.concatenate([x, y]) if len(x) else np.array([0.0, 1.0])
    lo, hi = float(np.nanmin(both)), float(np.nanmax(both))
    pad = (hi - lo) * 0.05 or 0.01
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="#b22222", lw=1, label="45-degree line")
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel(f"Proximity {early} (w=output)")
    ax.set_ylabel(f"Proximity {late} (w=output)")
    above = int(np.sum(y > x))
    ax.set_title(f"{title}\n{len(x):,} {PLURAL[level]}, {above:,} above the line", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_aspect("equal")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


WEIGHT_STYLE = {"asset": ("#1f5f8b", "o"), "employment": ("#b22222", "s"), "output": ("#2e8b57", "^")}
GRID_CELLS = [(level, digits) for level in ("county", "prefecture", "province") for digits in (4, 3, 2)]


def plot_robustness(key_rows: pd.DataFrame, path: Path) -> Path:
    """key_rows: robustness.key_rows() of the proximity cells (table, dependent, region_level,
    industry_digits, weight, coef, ci95_low, ci95_high).  One panel per table; within it one row per
    dependent x (level, digits), the three weights side by side; the paper's cell (county, 4) in bold."""
    tables = sorted(key_rows["table"].unique())
    fig, axes = plt.subplots(1, len(tables), figsize=(3.4 * len(tables), 9.5), dpi=100, squeeze=False)
    for ax, table in zip(axes[0], tables):
        sub = key_rows.loc[key_rows["table"] == table]
        deps = list(dict.fromkeys(sub["dependent"]))
        labels, ticks, headers, y = [], [], [], 0.0
        position = {}
        for dep in deps:
            headers.append((dep, y))    # a header line, then the nine (level, digits) rows
            y += 1.0
            for level, digits in GRID_CELLS:
                position[(dep, level, digits)] = y
                ticks.append(y)
                labels.append(f"{level[:4]}. {digits}d")
                y += 1
            y += 0.3
        rows = sub.assign(row=[position.get((d, lv, dg)) for d, lv, dg in
                               zip(sub["dependent"], sub["region_level"], sub["industry_digits"])]).dropna(subset=["row"])
        # one errorbar call per weight (hundreds of single-point calls took seconds)
        for offset, (weight, (color, marker)) in zip((-0.22, 0.0, 0.22), WEIGHT_STYLE.items()):
            r = rows.loc[rows["weight"] == weight]
            if r.empty:
                continue
            ax.errorbar(r["coef"], r["row"] + offset,
                        xerr=[r["coef"] - r["ci95_low"], r["ci95_high"] - r["coef"]],
                        fmt=marker, color=color, ms=3.5, lw=0.9, capsize=0)
        ax.axvline(0, color="#444", lw=0.8)
        ax.set_yticks(ticks)
        ax.set_yticklabels(labels, fontsize=6.5)
        for tick, label in zip(ax.get_yticklabels(), labels):
            if label == "coun. 4d":
                tick.set_fontweight("bold")
        ax.set_ylim(y - 0.3, -0.7)
        for dep, top in headers:
            ax.axhline(top - 0.5, color="#ccc", lw=0.6)
            ax.annotate(dep, xy=(0.02, top), xycoords=("axes fraction", "data"), fontsize=6.5, style="italic",
                        va="center", color="#333")
        ax.set_title(f"Table {table}", fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    handles = [plt.Line2D([], [], color=c, marker=m, ls="", label=f"w={w}") for w, (c, m) in WEIGHT_STYLE.items()]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle("Proximity coefficient and 95% interval across region levels (county, prefecture, province) and "
                 "industry digits (4, 3, 2)", fontsize=10)
    fig.tight_layout(rect=(0, 0.03, 1, 0.96))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
