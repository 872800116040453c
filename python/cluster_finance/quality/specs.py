"""What a suite is: a table pulled from the warehouse by SQL, and the expectations it must meet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

# Returns the GX expectation objects for the pulled frame's columns (so a suite can adapt to columns
# that are optional in the contract, and name a missing required column as a failure).
ExpectationBuilder = Callable[[list[str]], list]


@dataclass(frozen=True)
class SuiteSpec:
    """One GX suite over one batch.

    name: suite and batch name (shown in Data Docs).
    tables: warehouse tables the query reads; when one is absent the suite is reported as `absent_status`.
    query: DuckDB SQL producing the batch. It may also read `raw_file_rows(source_file, file_rows)`, the data
      rows of each census file counted by reading raw_dir again (independently of dbt).
    expectations: builder called with the batch's column names.
    kind: "raw" (an input table), "accepted" (rows the warehouse kept) or "mart".
    absent_status: what to report when a table is absent: "not built" (a mart this build has no model for).
    skip_when_empty: an empty batch is reported "not provided" (optional reference tables land empty).
    """

    name: str
    tables: tuple[str, ...]
    query: str
    expectations: ExpectationBuilder
    kind: Literal["raw", "accepted", "mart"] = "raw"
    absent_status: Literal["not built", "not provided", "failed"] = "not built"
    skip_when_empty: bool = False
