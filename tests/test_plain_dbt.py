"""Plain dbt, as a new user runs it from a fresh clone (SPEC section 1, issue 14): `dbt build --profiles-dir .`
creates the warehouse folder itself, builds with non-default vars (the dbt unit tests pin the vars they
assume), and stops on a broken input file with one sentence naming the file and the problem, no Python
traceback (the on-run-start hook lands the inputs; macros/landing/land_inputs_early.sql).

Each test runs dbt in a subprocess in a copy of the repository without build/, target/, logs/ or data/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bad_inputs import FILE_CASES, write_file_case
from conftest import REPO_ROOT
from tiny_inputs import write_tiny_inputs

# What a fresh clone does not have: made by builds, tests and the user.
NOT_IN_A_CLONE = (".git", ".venv", "build", "target", "logs", "data", "reports", "__pycache__", ".pytest_cache",
                  "*.duckdb", "*.duckdb.wal")


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("clone") / "cluster-finance"
    shutil.copytree(REPO_ROOT, root, ignore=shutil.ignore_patterns(*NOT_IN_A_CLONE))
    return root


def dbt(clone: Path, *args: str, warehouse: Path | None = None) -> subprocess.CompletedProcess:
    """The venv's `dbt` from the clone's root; python/ on the path as the venv's .pth puts it."""
    executable = Path(sys.executable).parent / "dbt"
    command = [str(executable)] if executable.exists() else [
        sys.executable, "-c", "from dbt.cli.main import cli; cli()"]
    env = {**os.environ, "PYTHONPATH": str(clone / "python"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("CLUSTER_FINANCE_WAREHOUSE", None)
    if warehouse is not None:
        env["CLUSTER_FINANCE_WAREHOUSE"] = str(warehouse)
    return subprocess.run([*command, *args, "--no-use-colors"], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=1800)


def test_fresh_clone_builds_and_compiles_with_plain_dbt(clone):
    assert not (clone / "build").exists()
    write_tiny_inputs(clone / "data" / "raw", clone / "data" / "reference")
    done = dbt(clone, "build", "--profiles-dir", ".")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "Traceback" not in output and "ERROR=0" in output
    with duckdb.connect(str(clone / "build" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from county_proximity").fetchall()[0][0] > 0
        assert con.execute("select count(*) from counties").fetchall()[0][0] > 0
    # the analyses render (dbt compile), into target/compiled/cluster_finance/analysis/
    done = dbt(clone, "compile", "--profiles-dir", ".", "--select", "path:analysis")
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    compiled = {p.stem for p in (clone / "target" / "compiled" / "cluster_finance" / "analysis").glob("*.sql")}
    assert compiled == {p.stem for p in (clone / "analysis").glob("*.sql")} and len(compiled) >= 8


def test_plain_dbt_build_with_other_vars(clone, tmp_path):
    """Every model, data test and unit test passes with non-default method vars."""
    write_tiny_inputs(tmp_path / "raw", tmp_path / "reference")
    vars_ = (f"{{raw_dir: '{tmp_path / 'raw'}', reference_dir: '{tmp_path / 'reference'}', rca_threshold: 0.5, "
             "single_industry_proximity: 'null', small_firm_output: 100, match_on_name: false, cap_ar_sales: 1, "
             "percentile_method: stata, firm_age_range: [0, 80], concentration_industries: all, "
             "ellison_glaeser_size: output}")
    warehouse = tmp_path / "other_vars" / "warehouse.duckdb"
    done = dbt(clone, "build", "--profiles-dir", ".", "--vars", vars_, warehouse=warehouse)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert re.search(r"Found .* \d+ unit tests", output) and "ERROR=0" in output and "SKIP=0" in output
    with duckdb.connect(str(warehouse), read_only=True) as con:
        flagged = con.execute("select distinct proximity from region_proximity where is_flagged").fetchall()
        settings = dict(con.execute("select setting, value from build_settings").fetchall())
    assert flagged == [(None,)]  # single_industry_proximity: null (the default, zero, gives one industry 0)
    assert (settings["percentile_method"], settings["concentration_industries"]) == ("stata", "all")


ERROR_CASES = [case for case in FILE_CASES if case.expected_error]


@pytest.fixture(scope="module")
def case_root(tmp_path_factory):
    # One pair of folders for every case: dbt's vars stay the same and its partial parse is reused.
    return tmp_path_factory.mktemp("plain_dbt_cases")


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda c: c.name)
def test_broken_file_under_plain_dbt_says_one_sentence(case, clone, case_root):
    raw, reference = case_root / "raw", case_root / "reference"
    for folder in (raw, reference):
        shutil.rmtree(folder, ignore_errors=True)
    write_file_case(case, raw, reference)
    extra = "".join(f", {key}: '{value}'" for key, value in case.extra_vars.items())
    done = dbt(clone, "build", "--profiles-dir", ".", "--vars", f"{{raw_dir: '{raw}', reference_dir: '{reference}'{extra}}}",
               warehouse=case_root / "warehouse.duckdb")
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert "Traceback" not in output, output[-4000:]
    sentences = re.findall(r"Input error in .*", output)
    assert len(sentences) == 1 and re.fullmatch(case.expected_error, sentences[0].strip()), sentences
    # the run stopped at the hook: no model ran, so none failed again
    assert "ERROR=1 " in output and "PASS=0 " in output
