"""Figures 1-2: prefecture and county proximity (output weight, four-digit), earlier census year against
the later one, with the 45-degree line: points above it became more clustered."""

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
