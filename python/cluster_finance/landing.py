"""When the input files are read: early, by the run's on-run-start hook, or by their landing models.

`dbt build` (plain, or through `build_warehouse`) starts with the hook `land_inputs_early`
(macros/land_inputs_early.sql), which calls the SQL function `cluster_finance_land_inputs` that the
project's dbt-duckdb plugin (cluster_finance.dbt_plugin) registers. It lands every input file whose
landing model the run selected, before any model runs: a file that cannot be used stops the run there,
with the one-sentence message of `ingest.InputFileError` and no Python traceback (a landing model's
exception would reach the console as a traceback, which dbt-duckdb prints for Python models). The
tables landed early are kept in this process for their landing models (dbt-duckdb runs Python models
in-process), so no file is read twice.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pyarrow as pa

from cluster_finance.ingest import InputFileError, land_census_firms, land_reference

CENSUS = "census_firms"  # the landing model land_census_firms; the others are land_<reference table>

_lock = threading.Lock()
_landed_early: dict[str, tuple[tuple, pa.Table]] = {}


def _arguments(table: str, raw_dir, reference_dir, encoding, vintage_by_year) -> tuple:
    """What a table's landing depends on, normalised (the hook passes text, a model its rendered meta)."""
    if table == CENSUS:
        vintages = {str(k): str(v) for k, v in (vintage_by_year or {}).items()}
        return (table, str(Path(raw_dir)), str(encoding), json.dumps(vintages, sort_keys=True))
    return (table, str(Path(reference_dir)), str(encoding))


def land(table: str, raw_dir, reference_dir, encoding="auto", vintage_by_year=None) -> pa.Table:
    if table == CENSUS:
        return land_census_firms(raw_dir, encoding, vintage_by_year)
    return land_reference(reference_dir, table, encoding)


def land_early(tables: list[str], raw_dir, reference_dir, encoding="auto", vintage_by_year=None) -> str | None:
    """Land the tables now and keep them for their models. Returns the first file error's sentence (and
    keeps nothing), or None. Whatever an earlier run of this process kept is dropped first."""
    with _lock:
        _landed_early.clear()
        for table in tables:
            try:
                landed = land(table, raw_dir, reference_dir, encoding, vintage_by_year)
            except InputFileError as err:
                _landed_early.clear()
                return str(err)
            _landed_early[table] = (_arguments(table, raw_dir, reference_dir, encoding, vintage_by_year), landed)
    return None


def landed(table: str, meta: dict) -> pa.Table:
    """The table for its landing model: the one this run's hook landed, else landed now."""
    args = (meta.get("raw_dir"), meta.get("reference_dir"), meta.get("csv_encoding", "auto"),
            meta.get("industry_vintage_by_year"))
    with _lock:
        early = _landed_early.pop(table, None)
    if early is not None and early[0] == _arguments(table, *args):
        return early[1]
    return land(table, *args)


def land_inputs_sql(raw_dir: str, reference_dir: str, encoding: str, vintages_json: str, tables: str) -> str | None:
    """The SQL function cluster_finance_land_inputs (text arguments; tables comma-separated)."""
    vintages = json.loads(vintages_json) if vintages_json else None
    names = [t.strip() for t in tables.split(",") if t.strip()]
    return land_early(names, raw_dir, reference_dir, encoding, vintages)
