"""Run every suite as one GX checkpoint and write Data Docs under reports_dir/data_docs/.

The GX context is ephemeral (nothing under the user's home or the repository but the Data Docs), its
analytics and progress bars are off. Each batch is a Parquet file pulled from the warehouse with duckdb
into a temporary folder, validated by GX's pandas engine.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cluster_finance.quality.specs import SuiteSpec

# Set before great_expectations is imported: it reads these at import time.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass
class SuiteSummary:
    name: str
    kind: str
    status: str  # passed | failed | not built | not provided
    rows: int | None = None
    evaluated: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)  # "expectation(column): n unexpected" lines

    def line(self) -> str:
        counts = f"{self.evaluated - self.failed}/{self.evaluated} expectations" if self.evaluated else ""
        rows = f", {self.rows:,} rows" if self.rows is not None else ""
        return f"{self.name}: {self.status}" + (f" ({counts}{rows})" if counts else "")


@dataclass
class QualityResult:
    success: bool
    suites: list[SuiteSummary]
    data_docs: Path | None
    seconds: float = 0.0

    def suite(self, name: str) -> SuiteSummary:
        return next(s for s in self.suites if s.name == name)

    def report(self) -> str:
        head = "Quality checks passed" if self.success else "Quality checks FAILED"
        lines = [f"{head} ({self.seconds:.1f} s); Data Docs: {self.data_docs}"]
        for s in self.suites:
            lines.append("  " + s.line())
            lines += [f"      {f}" for f in s.failures[:10]]
        return "\n".join(lines)


def _existing_tables(con) -> set[str]:
    rows = con.execute("select lower(table_name) from information_schema.tables").fetchall()
    return {r[0] for r in rows}


def count_raw_file_rows(raw_dir: Path):
    """Data rows of each census file, counted by reading raw_dir again (independent of the dbt build)."""
    import pandas as pd

    from cluster_finance.ingest import InputFileError, find_census_files, read_any

    rows = []
    try:
        files = find_census_files(raw_dir)
    except InputFileError:
        files = {}
    for path in files.values():
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            n = pq.ParquetFile(path).metadata.num_rows
        else:
            try:
                n = read_any(path).num_rows
            except InputFileError:
                n = None
        rows.append((path.name, n))
    return pd.DataFrame(rows, columns=["source_file", "file_rows"]).astype({"file_rows": "Int64"})


_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "DECIMAL")


def _as_doubles(con, query: str) -> str:
    """The query with its integer columns as DOUBLE (exact below 2**53: years, counts, row numbers).

    GX compares ranges with a vectorised numpy path only for int64 and float64 columns; an int32 column
    (a year) falls back to a Python function per row, minutes at census scale.
    """
    columns = con.execute(f"describe ({query})").fetchall()
    select = [
        f'cast("{name}" as double) as "{name}"' if str(kind).upper().startswith(_INTEGER_TYPES) else f'"{name}"'
        for name, kind, *_ in columns
    ]
    return f"select {', '.join(select)} from ({query})"


def _failure_lines(validation_result) -> list[str]:
    lines = []
    for r in validation_result.results:
        if r.success:
            continue
        config = r.expectation_config
        kwargs = config.kwargs
        target = kwargs.get("column") or kwargs.get("column_list") or (
            f"{kwargs.get('column_A')},{kwargs.get('column_B')}" if "column_A" in kwargs else "")
        info = r.exception_info or {}
        if info.get("raised_exception"):
            message = str(info.get("exception_message", "")).splitlines()[0][:160]
            what = f"could not be evaluated: {message}"
        else:
            result = r.result or {}
            if "unexpected_count" in result:
                what = f"{result.get('unexpected_count')} unexpected"
                sample = result.get("partial_unexpected_list") or []
                if sample:
                    what += f", e.g. {sample[:3]}"
            else:
                what = f"observed {result.get('observed_value')}"
        lines.append(f"{config.type}({target}): {what}")
    return lines


def default_suites(con) -> list[SuiteSpec]:
    from cluster_finance.quality.mart_suites import mart_suites
    from cluster_finance.quality.raw_suites import raw_suites

    tables = _existing_tables(con)
    years = []
    if "stg_census_firms" in tables:
        years = [r[0] for r in con.execute(
            "select distinct census_year from stg_census_firms order by 1").fetchall()]
    return raw_suites(years) + mart_suites()


def run_quality_checks(
    warehouse: Path,
    raw_dir: Path,
    reference_dir: Path,
    reports_dir: Path,
    progress: bool = True,
    suites: list[SuiteSpec] | None = None,
) -> QualityResult:
    """Validate the raw inputs and the marts of a built warehouse; write Data Docs; never raise on bad data.

    reference_dir is accepted for symmetry with build_warehouse: the reference tables are validated as the
    warehouse landed them (stg_*), which is what the method used.
    """
    import duckdb

    started = time.perf_counter()
    warehouse, raw_dir, reports_dir = Path(warehouse), Path(raw_dir), Path(reports_dir)
    docs_dir = reports_dir / "data_docs"

    def say(text: str) -> None:
        if progress:
            print(text, file=sys.stderr, flush=True)

    summaries: dict[str, SuiteSummary] = {}
    with tempfile.TemporaryDirectory(prefix="cluster_finance_gx_") as work:
        work = Path(work)
        pulled: list[tuple[SuiteSpec, int]] = []
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            con.register("raw_file_rows", count_raw_file_rows(raw_dir))
            specs = suites if suites is not None else default_suites(con)
            tables = _existing_tables(con)
            for spec in specs:
                missing = [t for t in spec.tables if t.lower() not in tables]
                if missing:
                    summaries[spec.name] = SuiteSummary(spec.name, spec.kind, spec.absent_status)
                    continue
                path = work / f"{spec.name}.parquet"
                try:
                    con.execute(f"copy ({_as_doubles(con, spec.query)}) to '{path}' (format parquet)")
                except duckdb.Error as err:
                    # a mart whose columns are not the ones the suite reads: report it, do not crash
                    first = str(err).strip().splitlines()[0][:200]
                    summaries[spec.name] = SuiteSummary(spec.name, spec.kind, "failed",
                                                        failures=[f"could not pull the batch: {first}"])
                    continue
                n = con.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0]
                if n == 0 and spec.skip_when_empty:
                    summaries[spec.name] = SuiteSummary(spec.name, spec.kind, "not provided", rows=0)
                    continue
                pulled.append((spec, n))
        finally:
            con.close()

        if pulled:
            say(f"quality: validating {len(pulled)} tables with Great Expectations "
                f"({sum(n for _, n in pulled):,} rows)")
            results = _run_checkpoint(pulled, work, docs_dir)
            for spec, n in pulled:
                vr = results[spec.name]
                stats = vr.statistics
                summaries[spec.name] = SuiteSummary(
                    spec.name, spec.kind, "passed" if vr.success else "failed", rows=n,
                    evaluated=int(stats["evaluated_expectations"]),
                    failed=int(stats["unsuccessful_expectations"]), failures=_failure_lines(vr))

    ordered = [summaries[s.name] for s in specs]
    for summary in ordered:
        say("  " + summary.line())
    success = all(s.status in ("passed", "not built", "not provided") for s in ordered)
    index = docs_dir / "index.html"
    return QualityResult(success, ordered, index if index.exists() else None, time.perf_counter() - started)


def _run_checkpoint(pulled: list[tuple[SuiteSpec, int]], work: Path, docs_dir: Path) -> dict:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    import great_expectations.execution_engine.pandas_execution_engine as pandas_engine

    # GX fingerprints every batch under 1 GB by hashing all its values, a marker shown in Data Docs only;
    # at census scale that costs more than the validation. Batches here are files we wrote a moment ago.
    pandas_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    docs_dir.mkdir(parents=True, exist_ok=True)
    context.add_data_docs_site("cluster_finance", {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    source = context.data_sources.add_pandas_filesystem("warehouse", base_directory=work)
    definitions = []
    for spec, _ in pulled:
        columns = _parquet_columns(work / f"{spec.name}.parquet")
        asset = source.add_parquet_asset(spec.name)
        batch = asset.add_batch_definition_path(spec.name, path=f"{spec.name}.parquet")
        suite = context.suites.add(gx.ExpectationSuite(name=spec.name, expectations=spec.expectations(columns)))
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=spec.name, data=batch, suite=suite))
        definitions.append(definition)
    # Data Docs are built once at the end: GX's UpdateDataDocsAction rebuilds the whole site after every
    # validation, which costs seconds per suite.
    checkpoint = context.checkpoints.add(gx.Checkpoint(
        name="cluster_finance_quality", validation_definitions=definitions, actions=[], result_format="SUMMARY"))
    result = checkpoint.run()
    context.build_data_docs()
    return {validation.suite_name: validation for validation in result.run_results.values()}


def _parquet_columns(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    return list(pq.read_schema(path).names)
