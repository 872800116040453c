"""The paper's published marginals, read at run time from the paper's CSV tables.

The tables are read from ``paper_dir`` (argument), else env ``CLUSTER_FINANCE_PAPER_DIR``, else the copy
shipped in ``paper_targets/`` (checked against ``../shared/paper`` by the tests).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# GB/T 2260 province codes for the abbreviations used in the paper's Table 2.
PROVINCE_GB = {
    "BJ": "11", "TJ": "12", "HEB": "13", "SX": "14", "NM": "15", "LN": "21", "JL": "22", "HLJ": "23",
    "SH": "31", "JS": "32", "ZJ": "33", "AH": "34", "FJ": "35", "JX": "36", "SD": "37", "HEN": "41",
    "HUB": "42", "HUN": "43", "GD": "44", "GX": "45", "HAIN": "46", "CQ": "50", "SC": "51", "GZ": "52",
    "YN": "53", "TB": "54", "SAX": "61", "GS": "62", "QH": "63", "NX": "64", "XJ": "65",
}
# The paper's Table 1 rows in order, mapped to two-digit CIC 2002 divisions (1995's firms carry codes of
# the synthetic 1994 vintage, whose 39-43 are renumbered: reference.DIVISION_1994).  Table 1 has 39 rows,
# as many as CIC 2002 has divisions in 06-46, but two electrical rows and no row for division 42 (artwork
# & other manufacturing); its second electrical row ("Electrical Machines & Equipment") is taken to be
# division 42, the one division it lacks, so that every other row keeps the division it names (DGP.md
# gives the other reading, rows 39-43 in code order).
DIVISION_CODES = (["06", "07", "08", "09", "10", "11"] + [f"{d:02d}" for d in range(13, 38)]
                  + ["39", "42", "40", "41", "43", "44", "45", "46"])


@dataclass
class PaperTargets:
    industries: pd.DataFrame   # division, industry, mean/sd/n by year
    provinces: pd.DataFrame    # province_code, province, mean/sd/n by year
    yearbook: pd.DataFrame     # year, gross_output_trillion_rmb
    table5: pd.DataFrame
    regressions: pd.DataFrame

    def coef(self, table: int, column: int, dependent: str, variable: str) -> float:
        r = self.regressions
        sel = r[(r.table == table) & (r.column == column) & (r.dependent == dependent) & (r.variable == variable)]
        return float(sel["coef"].iloc[0])

    def se(self, table: int, column: int, dependent: str, variable: str) -> float:
        r = self.regressions
        sel = r[(r.table == table) & (r.column == column) & (r.dependent == dependent) & (r.variable == variable)]
        return float(sel["se"].iloc[0])

    def t5(self, variable: str) -> tuple[float, float]:
        row = self.table5[self.table5.variable == variable].iloc[0]
        return float(row["mean"]), float(row["sd"])


def find_paper_dir(paper_dir: str | Path | None = None) -> Path:
    cands = []
    if paper_dir:
        cands.append(Path(paper_dir))
    if os.environ.get("CLUSTER_FINANCE_PAPER_DIR"):
        cands.append(Path(os.environ["CLUSTER_FINANCE_PAPER_DIR"]))
    # The package's own copy (paper_targets/README.md), so generation needs nothing outside the repo.
    cands.append(Path(__file__).resolve().parent / "paper_targets")
    for c in cands:
        if (c / "table1_output_by_industry.csv").exists():
            return c
    raise FileNotFoundError(
        "paper tables not found (looked in: " + ", ".join(map(str, cands)) +
        "); pass paper_dir or set CLUSTER_FINANCE_PAPER_DIR")


def load_targets(paper_dir: str | Path | None = None) -> PaperTargets:
    d = find_paper_dir(paper_dir)
    t1 = pd.read_csv(d / "table1_output_by_industry.csv")
    t1 = t1[t1["industry"] != "Total"].reset_index(drop=True)
    if len(t1) != len(DIVISION_CODES):
        raise ValueError(f"expected {len(DIVISION_CODES)} industries in Table 1, got {len(t1)}")
    t1.insert(0, "division", DIVISION_CODES)
    t2 = pd.read_csv(d / "table2_output_by_province.csv")
    t2 = t2[t2["province"] != "Total"].reset_index(drop=True)
    t2.insert(0, "province_code", t2["code"].map(PROVINCE_GB))
    t3 = pd.read_csv(d / "table3_sample_vs_yearbook.csv")
    yb = t3[["year", "yearbook_output_trillion_rmb"]].rename(
        columns={"yearbook_output_trillion_rmb": "gross_output_trillion_rmb"})
    t5 = pd.read_csv(d / "table5_summary_stats.csv")
    regs = pd.read_csv(d / "tables6_10_regressions.csv")
    return PaperTargets(t1, t2, yb, t5, regs)
