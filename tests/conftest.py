"""Shared fixtures: tiny inputs in the contract and a warehouse built from them (once per session)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
sys.path.insert(0, str(REPO_ROOT / "python"))
sys.path.insert(0, str(TESTS_DIR))
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory) -> Path:
    """The tiny census of tests/tiny_inputs.py built into a warehouse; returns the DuckDB path."""
    from cluster_finance.warehouse import build_warehouse
    from tiny_inputs import write_tiny_inputs

    root = tmp_path_factory.mktemp("tiny")
    write_tiny_inputs(root / "raw", root / "reference")
    result = build_warehouse(root / "raw", root / "reference", root / "warehouse.duckdb",
                             target_path=root / "target")
    return result.warehouse
