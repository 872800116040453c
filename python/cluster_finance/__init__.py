"""The cluster-finance warehouse: Long & Zhang's industry-proximity method on firm census data.

dbt + DuckDB build the tables (models/); this package reads the input files (ingest), runs dbt safely
(warehouse), writes the synthetic census (generate), checks data quality (quality), fits the paper's
regressions and writes the report (analysis, report), and holds the command line (cli).
"""

__version__ = "0.1.0"
