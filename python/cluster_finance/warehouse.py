"""Run dbt on the warehouse, safely.

`build_warehouse` runs `dbt build` into a *new* DuckDB file next to the warehouse and moves it into place
only when every model and test passed, so a failed or interrupted build leaves the previous
`build/warehouse.duckdb` intact, and readers holding the old file open keep reading it (rename swaps the
directory entry; the old file lives on until its last reader closes it).
"""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WAREHOUSE = REPO_ROOT / "build" / "warehouse.duckdb"
WAREHOUSE_ENV = "CLUSTER_FINANCE_WAREHOUSE"


class BuildError(Exception):
    """dbt build failed; the message says which model or test and why, in a few lines."""


@dataclass
class BuildResult:
    warehouse: Path
    seconds: float
    n_models: int
    n_tests: int
    timings: dict[str, float] = field(default_factory=dict)


@contextmanager
def _environment(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _failure_message(result) -> str:
    """One line per failed node; an input-file error keeps only its own sentence."""
    lines = []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(getattr(node_result, "status", "")).lower()
        if status not in ("error", "fail", "runtime error"):
            continue
        message = str(getattr(node_result, "message", "") or "")
        if "Input error in " in message:
            message = message[message.index("Input error in "):].splitlines()[0]
            return message
        name = getattr(node_result.node, "name", "?")
        first = next((ln.strip() for ln in message.splitlines() if ln.strip()), status)
        lines.append(f"{name}: {first}")
    if not lines and result.exception is not None:
        lines.append(str(result.exception).strip().splitlines()[0])
    return "\n".join(lines[:12]) or "dbt build failed (see logs/dbt.log)"


def run_dbt(
    args: list[str],
    warehouse: Path,
    dbt_vars: dict | None = None,
    target_path: Path | None = None,
    quiet: bool = True,
    on_node_done=None,
):
    """Invoke dbt in-process from the repository root against the given DuckDB file.

    on_node_done(name, status) is called as each model, seed or test finishes (for a progress bar).
    """
    from dbt.cli.main import dbtRunner

    def callback(event):
        if on_node_done is not None and event.info.name == "NodeFinished":
            node = event.data.node_info
            on_node_done(node.node_name, node.node_status)

    target_path = Path(target_path or REPO_ROOT / "target")
    cli = [*args, "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT),
           "--target-path", str(target_path), "--log-path", str(target_path / "logs")]
    if dbt_vars:
        cli += ["--vars", json.dumps(dbt_vars)]
    if quiet:
        # Nothing on the console (not even a Python model's traceback): errors come back as BuildError;
        # the full story stays in <target>/logs/dbt.log.
        cli += ["--quiet", "--no-use-colors", "--log-level", "none", "--log-level-file", "info"]
    cwd = os.getcwd()
    os.chdir(REPO_ROOT)
    try:
        with _environment(**{WAREHOUSE_ENV: str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}):
            return dbtRunner(callbacks=[callback]).invoke(cli)
    finally:
        _close_dbt_connection()
        os.chdir(cwd)


def _close_dbt_connection() -> None:
    """dbt-duckdb keeps its DuckDB instance open in-process; close it so the file is checkpointed
    (no pending WAL) before it is moved into place or read by another connection."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None and getattr(env, "conn", None) is not None:
            env.conn.close()
            env.conn = None
        DuckDBConnectionManager._ENV = None


def _timings(result) -> dict[str, float]:
    """Seconds per model; the on-run-start hook, which reads the input files before the landing models
    take them (cluster_finance.landing), counts as land_inputs_early."""
    out = {}
    for node_result in getattr(result.result, "results", None) or []:
        kind = str(getattr(node_result.node, "resource_type", ""))
        seconds = float(getattr(node_result, "execution_time", 0.0) or 0.0)
        if kind.endswith("model"):
            out[node_result.node.name] = seconds
        elif kind.endswith("operation"):
            out["land_inputs_early"] = out.get("land_inputs_early", 0.0) + seconds
    return out


def build_warehouse(
    raw_dir: str | Path,
    reference_dir: str | Path,
    warehouse: str | Path = DEFAULT_WAREHOUSE,
    extra_vars: dict | None = None,
    target_path: Path | None = None,
    select: list[str] | None = None,
    on_node_done=None,
    unit_tests: bool = False,
) -> BuildResult:
    """`dbt build` into warehouse.duckdb.new; swap into place only on success. Raises BuildError.

    dbt's unit tests (hand-worked cases on mocked inputs) check the SQL, not the data, so a data build
    leaves them out (unit_tests=False); the test suite runs them (tests/test_dbt_unit_tests.py).
    """
    warehouse = Path(warehouse).resolve()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    staging = warehouse.with_name(warehouse.name + ".new")
    for leftover in (staging, Path(str(staging) + ".wal")):
        leftover.unlink(missing_ok=True)
    dbt_vars = {"raw_dir": str(Path(raw_dir).resolve()), "reference_dir": str(Path(reference_dir).resolve())}
    dbt_vars.update(extra_vars or {})
    # a partial build runs only the tests whose every parent it builds (a relationship test to a model
    # left out would otherwise fail on a missing table)
    args = ["build"] + (["--select", *select, "--indirect-selection", "cautious"] if select else [])
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    started = time.perf_counter()
    result = run_dbt(args, staging, dbt_vars, target_path, on_node_done=on_node_done)
    seconds = time.perf_counter() - started
    if not result.success:
        staging.unlink(missing_ok=True)
        Path(str(staging) + ".wal").unlink(missing_ok=True)
        raise BuildError(_failure_message(result))
    os.replace(staging, warehouse)
    results = getattr(result.result, "results", None) or []
    n_models = sum(1 for r in results if str(r.node.resource_type).endswith("model"))
    n_tests = sum(1 for r in results if str(r.node.resource_type).endswith("test"))
    return BuildResult(warehouse, seconds, n_models, n_tests, _timings(result))


def connect(warehouse: str | Path = DEFAULT_WAREHOUSE, read_only: bool = True):
    """A DuckDB connection to the warehouse, for ad hoc SQL from Python."""
    import duckdb

    return duckdb.connect(str(warehouse), read_only=read_only)

