"""`python -m cluster_finance.analysis --warehouse build/warehouse.duckdb --reports reports`"""
from .run import main

raise SystemExit(main())
