"""The commands a user types: `demo` from nothing to a report, and `build` on a broken file."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb

from conftest import REPO_ROOT
from tiny_inputs import census_frames, write_tiny_inputs


def _cli(*args, cwd=REPO_ROOT):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "python"), "CLUSTER_FINANCE_SCALE": "0.01"}
    return subprocess.run([sys.executable, "-m", "cluster_finance", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


def test_demo_generates_builds_checks_and_reports(tmp_path):
    paths = ["--raw-dir", tmp_path / "raw", "--reference-dir", tmp_path / "ref",
             "--warehouse", tmp_path / "warehouse.duckdb", "--reports-dir", tmp_path / "reports"]
    done = _cli("demo", "--scale", "0.01", *paths)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "No census in" in done.stdout and "Quality checks passed" in done.stdout
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        years = con.sql("select year, count(*) from county_proximity group by year order by year").fetchall()
        rejected = con.sql("select count(*) from rejected_firms").fetchall()[0][0]
    assert [y for y, _ in years] == [1995, 2004] and all(n > 100 for _, n in years)
    assert rejected == 0
    html = (tmp_path / "reports" / "report.html").read_text()
    assert "synthetic" in html.lower()
    assert (tmp_path / "reports" / "data_docs" / "index.html").exists()


def test_build_on_a_broken_file_says_one_sentence(tmp_path):
    frames = census_frames()
    frames[1995] = frames[1995].drop(columns=["total_assets"])
    write_tiny_inputs(tmp_path / "raw", tmp_path / "ref", "csv", census=frames)
    done = _cli("build", "--raw-dir", tmp_path / "raw", "--reference-dir", tmp_path / "ref",
                "--warehouse", tmp_path / "warehouse.duckdb")
    assert done.returncode == 2
    assert done.stderr.strip() == ("cluster_finance build: Input error in firms_1995.csv: "
                                   "required column 'total_assets' is missing")
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_every_module_entry_point_runs_the_cli():
    """`python -m cluster_finance` and `python -m cluster_finance.cli` are the same command (the second
    used to exit silently without doing anything)."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "python")}
    for module in ("cluster_finance", "cluster_finance.cli"):
        done = subprocess.run([sys.executable, "-m", module, "generate", "--help"], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "--scale" in done.stdout, (module, done.stderr[-2000:])


def test_every_cli_option_has_help():
    """`--help` explains every command and option (walks the argparse tree)."""
    import argparse

    from cluster_finance.cli import parser

    missing = []

    def walk(node: argparse.ArgumentParser, path: str) -> None:
        for action in node._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if not (action.help or "").strip() or action.help == argparse.SUPPRESS:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if not (choice.help or "").strip():
                        missing.append(f"{path} {choice.dest}")
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}")

    walk(parser(), "cluster_finance")
    assert not missing, missing
