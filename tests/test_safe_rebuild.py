"""Safe rebuilds: a failed, killed or concurrent rebuild never costs the user the warehouse they had.

build_warehouse (python/cluster_finance/warehouse.py) builds into <warehouse>.new and renames it into place
only when every model and test passed. Each test here builds a good warehouse, records an answer to a
query, then breaks a rebuild in one way and asks the same query again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from cluster_finance.warehouse import BuildError, build_warehouse
from tiny_inputs import census_frames, write_tiny_inputs

REPO_ROOT = Path(__file__).resolve().parents[1]
QUERY = """
    select census_year, count(*) as n_firms, sum(output) as output, sum(total_assets) as assets
    from int_firms_accepted group by census_year order by census_year
"""
# The ingest part of the pipeline (and stg_world_trade, whose test one case breaks): the swap does not
# depend on which models are built, and the whole project costs several times as long per build.
SELECT = ["+rejected_firms", "+ingest_reconciliation", "+int_firms_accepted", "+stg_world_trade"]
# Hand-summed from tests/tiny_inputs.py: the answer the good warehouse must give, before and after.
TINY_ANSWER = [(1995, 6, 1060.0, 1160.0), (2004, 8, 1330.0, 1327.0)]


def ask(warehouse: Path):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(QUERY).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    # The same folders for every test, so that dbt's vars do not change and its partial parse is reused.
    return tmp_path_factory.mktemp("safe_rebuild")


@pytest.fixture()
def good_warehouse(workspace):
    raw, reference, build = workspace / "raw", workspace / "reference", workspace / "build"
    for folder in (raw, reference, build):
        shutil.rmtree(folder, ignore_errors=True)
    write_tiny_inputs(raw, reference)
    warehouse = build / "warehouse.duckdb"
    build_warehouse(raw, reference, warehouse, target_path=workspace / "target", select=SELECT)
    assert ask(warehouse) == TINY_ANSWER
    return workspace, warehouse


def _smaller_2004(raw: Path) -> None:
    """A different, valid census: firm B003 (output 30, assets 12) left out of 2004."""
    frame = census_frames()[2004]
    frame[frame.firm_id != "B003"].to_csv(raw / "firms_2004.csv", index=False)


SMALLER_ANSWER = [(1995, 6, 1060.0, 1160.0), (2004, 7, 1300.0, 1315.0)]


def _no_leftovers(warehouse: Path) -> None:
    assert sorted(p.name for p in warehouse.parent.iterdir()) == [warehouse.name]


def test_failed_model_leaves_previous_warehouse(good_warehouse):
    root, warehouse = good_warehouse
    (root / "raw" / "firms_2004.csv").write_bytes(b"")
    with pytest.raises(BuildError, match=r"^Input error in firms_2004\.csv: the file is empty \(0 bytes\)$"):
        build_warehouse(root / "raw", root / "reference", warehouse, target_path=root / "target", select=SELECT)
    assert ask(warehouse) == TINY_ANSWER
    _no_leftovers(warehouse)


def test_failed_data_test_leaves_previous_warehouse(good_warehouse):
    """Every model builds, but a dbt test fails (negative exports): the new file is not swapped in."""
    root, warehouse = good_warehouse
    trade = root / "reference" / "world_trade.csv"
    trade.write_text(trade.read_text().replace("aaa,0001,10.0", "aaa,0001,-10.0"))
    with pytest.raises(BuildError, match="accepted_range_stg_world_trade_export_value"):
        build_warehouse(root / "raw", root / "reference", warehouse, target_path=root / "target", select=SELECT)
    assert ask(warehouse) == TINY_ANSWER
    _no_leftovers(warehouse)


# dbt reports nodes from its worker threads: one locked write per line, so two lines never interleave.
BUILD_SCRIPT = """
import sys, threading
from pathlib import Path
from cluster_finance.warehouse import build_warehouse
root, warehouse = Path(sys.argv[1]), Path(sys.argv[2])
lock = threading.Lock()
def done(name, status):
    with lock:
        sys.stdout.write(f"{name} {status}\\n")
        sys.stdout.flush()
build_warehouse(root / "raw", root / "reference", warehouse, target_path=root / "target", on_node_done=done,
                select=sys.argv[3].split(","))
print("BUILD FINISHED", flush=True)
"""


def _python_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT / "python"), env.get("PYTHONPATH", "")])
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return env


def test_killed_build_leaves_previous_warehouse(good_warehouse):
    """SIGKILL a rebuild once its first models are written: the old warehouse answers as before."""
    root, warehouse = good_warehouse
    _smaller_2004(root / "raw")
    stderr = root / "killed_build.stderr"
    with stderr.open("w") as stderr_file:
        process = subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, str(root), str(warehouse), ",".join(SELECT)],
                                   stdout=subprocess.PIPE, stderr=stderr_file, text=True,
                                   env=_python_env(), start_new_session=True)
    finished_nodes = []
    try:
        for line in process.stdout:
            if line.startswith("stg_census_firms "):  # the census has landed and is being typed: midway
                finished_nodes.append(line.split()[0])
                os.killpg(process.pid, signal.SIGKILL)
                break
            finished_nodes.append(line.split()[0])
    finally:
        process.wait(timeout=120)
    assert "BUILD FINISHED" not in finished_nodes and "stg_census_firms" in finished_nodes, (
        f"the build was not stopped midway; nodes: {finished_nodes}; stderr: {stderr.read_text()[-2000:]}")
    assert process.returncode == -signal.SIGKILL
    assert warehouse.with_name(warehouse.name + ".new").exists()  # the interrupted build's file
    assert ask(warehouse) == TINY_ANSWER
    # The next build clears the leftover and swaps in the new census.
    build_warehouse(root / "raw", root / "reference", warehouse, target_path=root / "target", select=SELECT)
    assert ask(warehouse) == SMALLER_ANSWER
    _no_leftovers(warehouse)


READER_SCRIPT = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
query = sys.argv[2]
for _ in sys.stdin:
    print(repr(con.execute(query).fetchall()), flush=True)
"""


def test_reader_keeps_working_while_rebuilt(good_warehouse):
    """A reader holding the old file open keeps its answers through a rebuild; new readers see the new build."""
    root, warehouse = good_warehouse
    reader = subprocess.Popen([sys.executable, "-c", READER_SCRIPT, str(warehouse), QUERY],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_python_env())
    try:
        def reader_asks():
            reader.stdin.write("?\n")
            reader.stdin.flush()
            return eval(reader.stdout.readline())

        assert reader_asks() == TINY_ANSWER
        _smaller_2004(root / "raw")
        build_warehouse(root / "raw", root / "reference", warehouse, target_path=root / "target", select=SELECT)
        assert reader_asks() == TINY_ANSWER
        assert ask(warehouse) == SMALLER_ANSWER
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert reader.returncode == 0
