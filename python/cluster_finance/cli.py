"""The command line: `python -m cluster_finance <command>` (the Makefile targets call these).

  generate   write the synthetic census and reference tables (SPEC section 6)
  build      dbt build into build/warehouse.duckdb, swapped into place only when everything passed
  check      the Great Expectations checkpoint, Data Docs under reports/
  analyse    the paper's Tables 1-10 and Figures 1-2 under reports/
  demo       generate (when data/raw holds no census) -> build -> check -> analyse
  bench      the benchmark (SPEC section 8)
  sql        run ad hoc SQL on the warehouse (read-only), print the result or write it to CSV / Parquet

Errors a user can act on (a broken input file, a failed test) are printed as one short message with exit
code 2; no Python traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

from cluster_finance.query import QueryError
from cluster_finance.warehouse import DEFAULT_WAREHOUSE, REPO_ROOT, BuildError, build_warehouse

DEFAULT_RAW = REPO_ROOT / "data" / "raw"
DEFAULT_REFERENCE = REPO_ROOT / "data" / "reference"
DEFAULT_REPORTS = REPO_ROOT / "reports"
# Written beside a generated census, so that the report can say plainly that the data are synthetic.
SYNTHETIC_MARKER = "SYNTHETIC.txt"


class NotYetAvailable(Exception):
    """A stage whose issue has not landed yet."""


def _console():
    from rich.console import Console

    return Console(stderr=False, highlight=False)


def _stage(module: str, attribute: str):
    """The function of a pipeline stage, or NotYetAvailable while its module has not landed."""
    try:
        return getattr(importlib.import_module(module), attribute)
    except ModuleNotFoundError as err:
        if err.name and module.startswith(err.name):
            raise NotYetAvailable(f"{module} is not built yet") from None
        raise


def cmd_generate(args) -> int:
    generate = _stage("cluster_finance.generate", "generate_census")
    summary = generate(args.out, args.reference_out, scale=args.scale, seed=args.seed, progress=True)
    (Path(args.out) / SYNTHETIC_MARKER).write_text(
        f"These census files are synthetic: python -m cluster_finance generate --scale {args.scale} "
        f"--seed {args.seed}. See python/cluster_finance/generate/DGP.md.\n")
    _console().print(f"Synthetic census written to {args.out} (reference tables in {args.reference_out}).")
    if isinstance(summary, dict):
        for key, value in summary.items():
            if not isinstance(value, (dict, list)):
                _console().print(f"  {key}: {value}")
    return 0


def run_build(raw_dir: Path, reference_dir: Path, warehouse: Path) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = _console()
    with Progress(TextColumn("dbt build"), BarColumn(), TextColumn("{task.completed} nodes {task.description}"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("", total=None)

        def advance(name, status):
            progress.update(task, advance=1, description=f"({name}: {status})")

        result = build_warehouse(raw_dir, reference_dir, warehouse, on_node_done=advance)
    console.print(f"Built {result.n_models} models and passed {result.n_tests} tests in {result.seconds:.1f} s: "
                  f"{result.warehouse}")


def cmd_build(args) -> int:
    run_build(args.raw_dir, args.reference_dir, args.warehouse)
    return 0


def cmd_check(args) -> int:
    run_checks = _stage("cluster_finance.quality", "run_quality_checks")
    result = run_checks(args.warehouse, args.raw_dir, args.reference_dir, args.reports_dir, progress=True)
    _console().print(result.report())
    _console().print(f"Quality checks {'passed' if result.success else 'FAILED'}; Data Docs: {result.data_docs}")
    return 0 if result.success else 1


def cmd_analyse(args) -> int:
    run_analysis = _stage("cluster_finance.analysis.run", "run_analysis")
    synthetic = (Path(args.raw_dir) / SYNTHETIC_MARKER).exists()
    outputs = run_analysis(args.warehouse, args.reports_dir, synthetic=synthetic, progress=True)
    report = outputs.get("report") if isinstance(outputs, dict) else None
    _console().print(f"Analysis written to {args.reports_dir}" + (f"; report: {report}" if report else ""))
    return 0


def cmd_demo(args) -> int:
    from cluster_finance.ingest import has_census

    console = _console()
    started = time.perf_counter()
    if not has_census(args.raw_dir):
        console.print(f"No census in {args.raw_dir}: generating the synthetic census (scale {args.scale}).")
        args.out, args.reference_out = args.raw_dir, args.reference_dir
        cmd_generate(args)
    else:
        console.print(f"Using the census files in {args.raw_dir}.")
    run_build(args.raw_dir, args.reference_dir, args.warehouse)
    status = 0
    for name, command in (("Quality checks", cmd_check), ("Analysis", cmd_analyse)):
        try:
            status = max(status, command(args))
        except NotYetAvailable as err:
            console.print(f"{name}: not yet available ({err}).")
    console.print(f"Done in {time.perf_counter() - started:.0f} s. Warehouse: {args.warehouse} (query it with: "
                  f"python -m cluster_finance sql \"select * from county_proximity limit 5\"). "
                  f"Reports: {args.reports_dir}")
    if status:
        console.print("Some quality checks failed: see the list above and the Data Docs.")
    return status


def cmd_sql(args) -> int:
    from cluster_finance.query import compile_analysis, parse_vars, print_table, run_query, write_result

    if sum(source is not None for source in (args.query, args.file, args.analysis)) != 1:
        raise QueryError("give one of: a query, --file FILE, --analysis NAME")
    if args.vars and args.analysis is None:
        raise QueryError("--vars sets the vars of an --analysis")
    if args.file is not None:
        try:
            sql = Path(args.file).read_text(encoding="utf-8")
        except OSError as err:
            raise QueryError(f"cannot read {args.file}: {err.strerror}") from None
    elif args.analysis is not None:
        sql = compile_analysis(args.analysis, parse_vars(args.vars), args.warehouse)
    else:
        sql = args.query
    table = run_query(args.warehouse, sql)
    written = [write_result(table, path, fmt) for path, fmt in ((args.csv, "csv"), (args.parquet, "parquet"))
               if path is not None]
    if written:
        names = " and ".join(str(path) for path in written)
        print(f"{table.num_rows} row{'s' if table.num_rows != 1 else ''} written to {names}")
    else:
        print_table(table, args.max_rows)
    return 0


def cmd_bench(args) -> int:
    run_benchmark = _stage("cluster_finance.bench", "run_benchmark")
    run_benchmark(args)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="cluster_finance", description=__doc__.split("\n\n")[0])
    sub = top.add_subparsers(dest="command", required=True, title="commands",
                             help="run `python -m cluster_finance <command> --help` for its options")
    default_warehouse = Path(os.environ.get("CLUSTER_FINANCE_WAREHOUSE", DEFAULT_WAREHOUSE))

    def add(name, func, help_text, *, paths=True, generate=False):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        if paths:
            p.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW,
                           help="folder of the census files firms_<year>.parquet|csv|dta (default: %(default)s)")
            p.add_argument("--reference-dir", type=Path, default=DEFAULT_REFERENCE,
                           help="folder of the reference tables (default: %(default)s)")
            p.add_argument("--warehouse", type=Path, default=default_warehouse,
                           help="the DuckDB warehouse file (default: %(default)s, or $CLUSTER_FINANCE_WAREHOUSE)")
            p.add_argument("--reports-dir", type=Path, default=DEFAULT_REPORTS,
                           help="where the tables, figures, report and Data Docs go (default: %(default)s)")
        if generate:
            p.add_argument("--scale", type=float, default=float(os.environ.get("CLUSTER_FINANCE_SCALE", 1.0)),
                           help="fraction of the full census size (1.0 = 506,409 + 1,363,284 firms)")
            p.add_argument("--seed", type=int, default=0, help="random seed of the synthetic census (default: 0)")
        return p

    gen = add("generate", cmd_generate, "write the synthetic census", paths=False, generate=True)
    gen.add_argument("--out", type=Path, default=DEFAULT_RAW,
                     help="folder for the census files (default: %(default)s)")
    gen.add_argument("--reference-out", type=Path, default=DEFAULT_REFERENCE,
                     help="folder for the reference tables (default: %(default)s)")
    add("build", cmd_build, "dbt build with a safe swap")
    add("check", cmd_check, "Great Expectations checkpoint")
    add("analyse", cmd_analyse, "Tables 1-10, Figures 1-2, HTML report")
    add("demo", cmd_demo, "generate if needed, build, check, analyse", generate=True)
    bench = add("bench", cmd_bench, "benchmark", generate=True)
    bench.add_argument("--quick", action="store_true", help="small scales only (for a smoke test)")
    query = add("sql", cmd_sql, "run ad hoc SQL on the warehouse (read-only) and print the result", paths=False)
    query.add_argument("query", nargs="?", help='one SQL statement, e.g. "select * from counties limit 5"')
    query.add_argument("--file", "-f", type=Path,
                       help="read the SQL from a file instead, e.g. a compiled analysis under "
                            "target/compiled/cluster_finance/analysis/")
    query.add_argument("--analysis", "-a", metavar="NAME",
                       help="run the dbt analysis analysis/NAME.sql (compiled with --vars), e.g. "
                            "most_and_least_clustered_counties")
    query.add_argument("--vars", metavar="YAML",
                       help="the analysis's vars, as for dbt: '{county_code: \"330782\", year: 1995}'")
    query.add_argument("--warehouse", type=Path, default=default_warehouse,
                       help="the DuckDB warehouse file (default: %(default)s, or $CLUSTER_FINANCE_WAREHOUSE)")
    query.add_argument("--csv", type=Path, metavar="FILE", help="write the whole result to this CSV file")
    query.add_argument("--parquet", type=Path, metavar="FILE", help="write the whole result to this Parquet file")
    query.add_argument("--max-rows", type=int, default=40,
                       help="rows to print (default: %(default)s; -1 for all); --csv / --parquet write them all")
    return top


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (BuildError, NotYetAvailable, QueryError) as err:
        print(f"cluster_finance {args.command}: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # an input-file error raised outside dbt, e.g. by has_census
        from cluster_finance.ingest import InputFileError

        if isinstance(err, InputFileError):
            print(f"cluster_finance {args.command}: {err}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":  # python -m cluster_finance.cli works like python -m cluster_finance
    sys.exit(main())
