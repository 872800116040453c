"""Disclosure control: no published descriptive cell is built from fewer than min_cell_firms (3) firms."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cluster_finance.analysis.figures import scatter_pairs
from cluster_finance.analysis.run import analyse_frames
from cluster_finance.report.disclosure import SUPPRESSED, extreme_mean, suppress_small_cells
from test_analysis import EARLY, LATE, fake_marts


def test_primary_and_secondary_suppression():
    df = pd.DataFrame({"year": [1, 1, 1, 1, 2, 2, 2], "g": list("abcdabc"),
                       "n": [2, 10, 5, 0, 1, 2, 50], "mean": [1.0, 2, 3, 0, 4, 5, 6]})
    out = suppress_small_cells(df, "n", ["mean"], 3, group_cols=["year"])
    # year 1: 'a' (2 firms) primary; one primary cell -> the smallest other non-empty cell 'c' too; empty 'd' stays
    assert out["suppressed"].tolist() == [True, False, True, False, True, True, False]
    assert out.loc[out.suppressed, "mean"].isna().all() and out.loc[out.suppressed, "n"].isna().all()
    assert out.loc[~out.suppressed, "mean"].tolist() == [2, 0, 6]
    none = suppress_small_cells(df, "n", ["mean"], 3, group_cols=["year"], secondary=False)
    assert none["suppressed"].tolist() == [True, False, False, False, True, True, False]


def test_extreme_mean_hides_single_values():
    v = np.array([5.0, 1.0, 9.0, 3.0, np.nan, 7.0])
    assert extreme_mean(v, 3, "min") == pytest.approx(3.0)
    assert extreme_mean(v, 3, "max") == pytest.approx(7.0)
    assert np.isnan(extreme_mean(v[:2], 3, "min"))


def test_figure_points_need_enough_firms():
    rp = pd.DataFrame({"year": [EARLY, LATE] * 3, "region_code": ["a", "a", "b", "b", "c", "c"],
                       "proximity": [0.1, 0.2, 0.3, 0.4, 0.5, np.nan], "n_firms": [3, 5, 2, 9, 10, 10]})
    pairs = scatter_pairs(rp, EARLY, LATE, 3)
    assert pairs["region_code"].tolist() == ["a"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    marts = fake_marts(2)
    out = analyse_frames(marts, tmp_path_factory.mktemp("disc"), synthetic=True, progress=False, min_cell_firms=3)
    return marts, out


def _published_files(out):
    files = [out["report"]] + [p for t in out["tables"].values() for p in t.values()]
    return {p: p.read_text(encoding="utf-8") for p in files}


def test_small_cells_never_published(report):
    marts, out = report
    # division 07 and province 54 (Tibet) hold one firm each in the earliest year: its output is a firm's
    for path, text in _published_files(out).items():
        for secret in ("123456", "123,456", "123456.0"):
            assert secret not in text, f"{path.name} shows a single firm's output"
    t2 = (out["tables"]["table2"]["markdown"]).read_text()
    tibet = next(line for line in t2.splitlines() if line.startswith("| Tibet"))
    cells = [c.strip() for c in tibet.strip("|").split("|")]
    assert cells[2:5] == [SUPPRESSED] * 3
    t4 = out["tables"]["table4"]["markdown"].read_text()
    tibet = next(line for line in t4.splitlines() if line.startswith("| Tibet"))
    assert [c.strip() for c in tibet.strip("|").split("|")][1] == SUPPRESSED


@pytest.mark.parametrize("key", ["table1", "table2", "table3", "table4"])
def test_descriptive_csv_cells_have_enough_firms(report, key):
    _, out = report
    tidy = pd.read_csv(out["tables"][key]["csv"])
    shown = tidy.loc[tidy["n_firms"].notna()] if "n_firms" in tidy else tidy
    assert not ((shown["n_firms"] > 0) & (shown["n_firms"] < 3)).any()
    if "suppressed" in tidy:
        value_cols = [c for c in ("mean", "sd", "proximity", "sample_output_trillion_rmb") if c in tidy]
        assert tidy.loc[tidy["suppressed"] == True, value_cols].isna().all().all()  # noqa: E712


def test_table5_min_max_are_not_single_values(report):
    marts, out = report
    t5 = pd.read_csv(out["tables"]["table5"]["csv"]).set_index("variable")
    v = marts.firm_panel["log_asset"].dropna()
    assert t5.loc["log_asset", "min"] > v.min() and t5.loc["log_asset", "max"] < v.max()
    md = out["tables"]["table5"]["markdown"].read_text()
    assert f"{v.min():.3f}" not in md and f"{v.max():.3f}" not in md
