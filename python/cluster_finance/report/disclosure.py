"""Disclosure control: census microdata are confidential, so no published cell may be built from fewer
than ``min_cell_firms`` firms (dbt var, default 3).

Rules applied to every descriptive table (Tables 1-5) and to the figures' points:
- primary suppression: a cell (mean, SD, count, sum, proximity ...) whose firm count is below the
  threshold is replaced by ``SUPPRESSED``;
- secondary suppression: where a table also publishes the total, a single suppressed row in a column
  group could be recovered by subtraction, so the next-smallest row of that group is suppressed too;
- minima and maxima of firm-level or county-level variables (Table 5) are single units' values, so
  they are reported as the mean of the ``threshold`` most extreme values (footnoted).
Regression coefficients combine thousands of firms and are not suppressed.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

SUPPRESSED = "c"   # Eurostat's flag for a confidential cell
FOOTNOTE = ("c: suppressed for confidentiality (cell built from fewer than {k} firms, or a complementary "
            "cell that would let it be recovered from the total).")


def footnote(threshold: int) -> str:
    return FOOTNOTE.format(k=threshold)


def suppress_small_cells(df: pd.DataFrame, count_col: str, value_cols: Sequence[str], threshold: int,
                         group_cols: Sequence[str] = (), secondary: bool = True) -> pd.DataFrame:
    """Returns a copy with ``value_cols`` and ``count_col`` set to NaN where suppressed and a boolean
    column ``suppressed``.  Rows with a count of 0 are empty, not confidential, and left alone."""
    out = df.copy()
    counts = pd.to_numeric(out[count_col], errors="coerce").fillna(0)
    primary = (counts > 0) & (counts < threshold)
    flag = primary.copy()
    if secondary:
        groups = [sub.index for _, sub in out.groupby(list(group_cols), sort=False)] if group_cols else [out.index]
        for idx in groups:
            if int(primary.loc[idx].sum()) == 1:
                candidates = counts.loc[idx][~primary.loc[idx] & (counts.loc[idx] > 0)]
                if len(candidates):
                    flag.loc[candidates.idxmin()] = True
    out["suppressed"] = flag.to_numpy()
    for c in [*value_cols, count_col]:
        out[c] = out[c].astype(float)
        out.loc[flag, c] = np.nan
    return out


def extreme_mean(values: np.ndarray | pd.Series, k: int, side: str) -> float:
    """Mean of the k smallest (side='min') or largest (side='max') finite values: a disclosure-safe
    stand-in for a minimum or maximum.  NaN when there are fewer than k values."""
    v = np.asarray(values, dtype=float)
    v = np.sort(v[np.isfinite(v)])
    if len(v) < k:
        return float("nan")
    return float(v[:k].mean() if side == "min" else v[-k:].mean())


def fmt(value: float, digits: int, suppressed: bool = False, thousands: bool = False) -> str:
    """A number as the report prints it; SUPPRESSED for suppressed cells, empty for missing ones."""
    if suppressed:
        return SUPPRESSED
    if value is None or not np.isfinite(value):
        return ""
    return f"{value:,.{digits}f}" if thousands else f"{value:.{digits}f}"
