"""Command line: python -m cluster_finance.generate --scale 1.0 --seed 0 --out data/raw --reference-out data/reference"""
from __future__ import annotations

import argparse
import json


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cluster_finance.generate",
                                 description="Generate the synthetic 1995/2004 industrial census (SYNTHETIC DATA).")
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the paper's firm counts (default 1.0)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="data/raw", help="directory for firms_<year>.parquet")
    ap.add_argument("--reference-out", default="data/reference",
                    help="directory for the synthetic reference tables (the CIC 1994 concordance and its ISIC links, "
                         "yearbook totals); the real ones ship in seeds/reference")
    ap.add_argument("--paper-dir", default=None,
                    help="directory of the paper's CSV tables (default: the copy in generate/paper_targets)")
    ap.add_argument("--no-progress", action="store_true")
    a = ap.parse_args(argv)
    from .build import generate_census
    summary = generate_census(a.out, a.reference_out, scale=a.scale, seed=a.seed, progress=not a.no_progress,
                              paper_dir=a.paper_dir)
    print(json.dumps({k: v for k, v in summary.items() if k != "paths"}, indent=1, default=str))
    return 0
