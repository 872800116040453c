"""Ad hoc SQL on the warehouse (SPEC section 12): `python -m cluster_finance sql "select ..."`.

The query runs on a read-only DuckDB connection, so it cannot change the warehouse; the result is printed
as a table, or written whole to CSV or Parquet. The SQL can also be one of the dbt
analyses of `analysis/`, compiled here with its vars. A missing warehouse or a query DuckDB rejects is a
`QueryError`, whose message is one line.
"""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow as pa


class QueryError(Exception):
    """The query cannot run: no warehouse, or DuckDB rejected the SQL. The message is one line."""


def run_query(warehouse: str | Path, sql: str) -> pa.Table:
    """The result of one SQL statement on a read-only connection to the warehouse, as an Arrow table."""
    import duckdb

    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise QueryError(f"no warehouse at {warehouse}: build it first (make build, or python -m cluster_finance "
                         "build), or point --warehouse at one")
    if not sql.strip():
        raise QueryError("the query is empty")
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            relation = con.sql(sql)
            # a statement with no result set (SET, PRAGMA ...) gives no relation
            return pa.table({}) if relation is None else relation.to_arrow_table()
    except duckdb.Error as err:
        raise QueryError(_one_line(str(err))) from None


def compile_analysis(name: str, dbt_vars: dict | None, warehouse: str | Path) -> str:
    """The SQL of the dbt analysis analysis/<name>.sql, compiled with the given vars (dbt compile; the
    compiled file lands in target/compiled/cluster_finance/analysis/ as with a plain `dbt compile`)."""
    from cluster_finance.warehouse import REPO_ROOT, _failure_message, run_dbt

    folder = REPO_ROOT / "analysis"
    if not (folder / f"{name}.sql").is_file():
        names = ", ".join(sorted(path.stem for path in folder.glob("*.sql")))
        raise QueryError(f"no analysis {name!r} in {folder} (there are: {names})")
    target = REPO_ROOT / "target"
    # --no-populate-cache: compiling needs nothing from the warehouse, which may be open elsewhere
    result = run_dbt(["compile", "--select", f"path:analysis/{name}.sql", "--no-populate-cache"],
                     Path(warehouse).resolve(), dbt_vars, target_path=target)
    if not result.success:
        raise QueryError(f"dbt compile of analysis {name} failed: " + _one_line(_failure_message(result)))
    return (target / "compiled" / "cluster_finance" / "analysis" / f"{name}.sql").read_text(encoding="utf-8")


def parse_vars(text: str | None) -> dict | None:
    """dbt's --vars: a YAML mapping, e.g. '{county_code: "330782", year: 1995}'."""
    if not text:
        return None
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = None
    if not isinstance(value, dict):
        raise QueryError(f"--vars must be a YAML mapping such as '{{year: 1995}}', not {text!r}")
    return value


def _one_line(message: str) -> str:
    """DuckDB's message without the quoted query under it ("LINE 1: ..." and the caret), on one line."""
    head = message.split("\nLINE ")[0]
    return " ".join(line.strip() for line in head.splitlines() if line.strip()) or "the query failed"


def write_result(table: pa.Table, path: str | Path, fmt: str) -> Path:
    """Write the whole result to CSV (UTF-8, header row) or Parquet."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return path


def format_value(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def print_table(table: pa.Table, max_rows: int, console=None) -> None:
    """The first max_rows rows as a table (rich), and how many rows there were in all."""
    from rich.console import Console
    from rich.table import Table

    if console is None:
        # Piped output is not cut to 80 columns: a wide result stays one line per row.
        console = Console(highlight=False, soft_wrap=True)
        if not console.is_terminal:
            console = Console(highlight=False, width=100_000, color_system=None)
    shown = table.slice(0, max_rows) if max_rows >= 0 else table
    grid = Table(show_edge=False, header_style="bold", pad_edge=False)
    for field in table.schema:
        numeric = pa.types.is_integer(field.type) or pa.types.is_floating(field.type) or pa.types.is_decimal(field.type)
        grid.add_column(field.name, justify="right" if numeric else "left", no_wrap=True)
    columns = [column.to_pylist() for column in shown.columns]
    for row in zip(*columns):
        grid.add_row(*(format_value(v) for v in row))
    console.print(grid)
    n = table.num_rows
    more = f"; showing the first {shown.num_rows} (--max-rows, or --csv / --parquet for all)" if shown.num_rows < n else ""
    console.print(f"({n} row{'s' if n != 1 else ''}{more})")
