"""`python -m cluster_finance.quality`: run the checkpoint on a built warehouse; exit 1 when a suite fails."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cluster_finance.quality.checkpoint import run_quality_checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cluster_finance.quality", description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=Path("build/warehouse.duckdb"))
    parser.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    parser.add_argument("--reference-dir", type=Path, default=Path("data/reference"))
    parser.add_argument("--reports-dir", type=Path, default=Path("reports"))
    parser.add_argument("--quiet", action="store_true", help="no per-suite lines while running")
    args = parser.parse_args(argv)
    if not args.warehouse.is_file():
        print(f"No warehouse at {args.warehouse}; run the build first.", file=sys.stderr)
        return 2
    result = run_quality_checks(args.warehouse, args.raw_dir, args.reference_dir, args.reports_dir,
                                progress=not args.quiet)
    # with progress on, the per-suite lines were already printed as the suites finished
    print(result.report() if args.quiet else result.report().splitlines()[0])
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
