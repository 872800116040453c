"""Great Expectations checks of the raw inputs and the marts, run as one checkpoint with Data Docs.

    from cluster_finance.quality import run_quality_checks
    result = run_quality_checks(warehouse, raw_dir, reference_dir, reports_dir)
    result.success, result.suites, result.data_docs

GX 1.24 cannot validate DuckDB tables through SQLAlchemy (it reads results after closing the connection,
GX issues #10738 and #11579), so each table is pulled with duckdb into a Parquet file in a temporary
folder and GX validates that with pandas. Suites are declared in `raw_suites.py` and `mart_suites.py`;
`checkpoint.py` runs them.
"""

from cluster_finance.quality.checkpoint import QualityResult, SuiteSummary, run_quality_checks
from cluster_finance.quality.specs import SuiteSpec

__all__ = ["QualityResult", "SuiteSpec", "SuiteSummary", "run_quality_checks"]
