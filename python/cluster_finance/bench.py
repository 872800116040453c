"""`make bench`: how fast the warehouse is, against the floor and the peer, and how cost grows (SPEC 8).

Every stage runs in a child process, so its wall time and peak memory (the child's own VmHWM) are its
own. The region-proximity comparison runs in this process on the cells and industry proximity the
warehouse built: the warehouse's SQL (region_industry_proximity and region_proximity, run again with
`dbt run`), a dense numpy matrix product (the floor) and a straightforward pandas merge-and-groupby (the
peer) compute the same numbers -- every year, region level, industry digits and weight -- and must agree
to 1e-9. Ratios are measured within one run, which is what counts on a noisy machine; times are medians of
repeats.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cluster_finance.warehouse import REPO_ROOT, connect, run_dbt

BENCH_DIR = REPO_ROOT / "benchmarks"
WEIGHTS = ("output", "employment", "total_assets")
# Stages of the dbt build, by model name (everything else counts as "other marts").
STAGES = {
    "ingest and staging": ("land_", "stg_", "int_census_firms", "int_firms_accepted", "int_industry_isic",
                           "rejected_firms", "ingest_reconciliation"),
    "product proximity": ("int_product_", "product_proximity"),
    "industry proximity": ("int_industry_", "int_industries_", "industry_proximity"),
    "relatedness and complexity": ("int_country_product_eigenvectors", "country_product_complexity",
                                   "int_region_industry_", "region_industry_complexity"),
    "region proximity": ("int_region_", "region_industry_proximity", "region_proximity", "county_proximity"),
}


# ------------------------------------------------------------------------------------ child processes


PEAK_MEMORY = """
import atexit, json
def _report_peak():
    # VmHWM is this process's own high-water mark (ru_maxrss would include the parent's at fork time).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print(json.dumps({"peak_kb": int(line.split()[1])}))
atexit.register(_report_peak)
"""


def _child(code: str, *args: str) -> tuple[float, float, str]:
    """Run python code in a child; return (seconds, its own peak RSS in MB, stdout). Raises on failure."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", PEAK_MEMORY + code, *args], stdout=out, stderr=err,
                                env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "python")})
        returncode = proc.wait()
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if returncode != 0:
            raise RuntimeError(f"benchmark step failed:\n{err.read()[-2000:]}")
        lines = out.read().strip().splitlines()
        peak_mb = json.loads(lines[-1])["peak_kb"] / 1024 if lines else float("nan")
        return seconds, peak_mb, "\n".join(lines[:-1])


GENERATE = """
import sys
from cluster_finance.generate import generate_census
generate_census(sys.argv[1], sys.argv[2], scale=float(sys.argv[3]), seed=0, progress=False)
"""

BUILD = """
import json, sys
from pathlib import Path
from cluster_finance.warehouse import build_warehouse
r = build_warehouse(sys.argv[1], sys.argv[2], sys.argv[3], target_path=Path(sys.argv[4]))
print(json.dumps({"seconds": r.seconds, "timings": r.timings}))
"""

CHECK = """
import sys
from pathlib import Path
from cluster_finance.quality import run_quality_checks
run_quality_checks(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), progress=False)
"""

ANALYSE = """
import sys
from pathlib import Path
from cluster_finance.analysis.run import run_analysis
run_analysis(Path(sys.argv[1]), Path(sys.argv[2]), progress=False)
"""


def _stage_of(model: str) -> str:
    for stage, prefixes in STAGES.items():
        if model.startswith(prefixes):
            return stage
    return "other marts"


def _stage_times(timings: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for model, seconds in timings.items():
        out[_stage_of(model)] = out.get(_stage_of(model), 0.0) + seconds
    return out


# ------------------------------------------------------------------------- the three implementations


def load_inputs(warehouse: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with connect(warehouse) as con:
        cells = con.sql("select year, region_level, region_code, industry_digits, industry_code, output, "
                        "cast(employment as double) as employment, total_assets from cells").df()
        phi = con.sql("select industry_digits, industry_a, industry_b, proximity from industry_proximity "
                      "where classification = 'harmonised'").df()
    return cells, phi


def prepare_dense(cells: pd.DataFrame, phi: pd.DataFrame) -> list[dict]:
    """Integer-coded inputs for the floor (string handling is not the floor's work): per (digits) a dense
    proximity matrix with zero diagonal; per (year, level, digits) region and industry positions."""
    prepared = []
    for digits, phi_d in phi.groupby("industry_digits", sort=False):
        codes = pd.Index(np.unique(np.concatenate([phi_d.industry_a.to_numpy(), phi_d.industry_b.to_numpy()])))
        dense = np.zeros((len(codes), len(codes)))
        dense[codes.get_indexer(phi_d.industry_a), codes.get_indexer(phi_d.industry_b)] = phi_d.proximity.to_numpy()
        at_digits = cells[cells.industry_digits == digits]
        col_all = codes.get_indexer(at_digits.industry_code)
        mapped, col_all = at_digits[col_all >= 0], col_all[col_all >= 0]
        for (year, level), rows in mapped.groupby(["year", "region_level"], sort=False).indices.items():
            group = mapped.iloc[rows]
            row, regions = pd.factorize(group.region_code)
            prepared.append({"key": {"year": year, "region_level": level, "region_code": np.asarray(regions),
                                     "industry_digits": digits},
                             "dense": dense, "row": row, "col": col_all[rows], "n_regions": len(regions),
                             "values": {w: group[w].to_numpy(dtype=float) for w in WEIGHTS}})
    return prepared


def proximity_numpy(prepared: list[dict]) -> pd.DataFrame:
    """The floor: per (year, level, digits) and weight, a dense region x industry size matrix S and one
    matrix product N = S @ Phi.T, which gives every sum_{j != i} s(r,j) phi(i,j) at once."""
    out = []
    for part in prepared:
        dense, row, col = part["dense"], part["row"], part["col"]
        result = dict(part["key"])
        for weight in WEIGHTS:
            size = np.zeros((part["n_regions"], dense.shape[0]))
            size[row, col] = part["values"][weight]        # one cell per (region, industry)
            numerator = size @ dense.T                    # (r, i): sum_j s(r,j) phi(i,j), phi(i,i) = 0
            denominator = size.sum(axis=1, keepdims=True) - size
            with np.errstate(invalid="ignore", divide="ignore"):
                p_ri = np.where((size > 0) & (denominator > 0), numerator / denominator, 0.0)
                index = (size * p_ri).sum(axis=1) / size.sum(axis=1)
            enough = (size > 0).sum(axis=1) >= 2
            result[f"proximity_{weight}"] = np.where(enough, index, np.nan)
        out.append(pd.DataFrame(result))
    return pd.concat(out, ignore_index=True)


def proximity_pandas(cells: pd.DataFrame, phi: pd.DataFrame) -> pd.DataFrame:
    """The peer: what a researcher would write -- merge cells with cells and proximity, then group by."""
    keys = ["year", "region_level", "region_code", "industry_digits"]
    mapped_codes = phi[["industry_digits", "industry_a"]].drop_duplicates().rename(columns={"industry_a": "industry_code"})
    mapped = cells.merge(mapped_codes, on=["industry_digits", "industry_code"])
    results = []
    for weight in WEIGHTS:
        c = mapped.loc[mapped[weight] > 0, keys + ["industry_code", weight]]
        pairs = c.merge(c, on=keys, suffixes=("_i", "_j"))
        pairs = pairs[pairs.industry_code_i != pairs.industry_code_j]
        pairs = pairs.merge(phi, left_on=["industry_digits", "industry_code_i", "industry_code_j"],
                            right_on=["industry_digits", "industry_a", "industry_b"], how="left")
        pairs["weighted"] = pairs[f"{weight}_j"] * pairs["proximity"].fillna(0.0)
        p_ri = pairs.groupby(keys + ["industry_code_i"], sort=False).agg(
            numerator=("weighted", "sum"), denominator=(f"{weight}_j", "sum"), size=(f"{weight}_i", "first"))
        p_ri["p"] = p_ri.numerator / p_ri.denominator
        p_ri["sp"] = p_ri["size"] * p_ri["p"]
        region = p_ri.groupby(level=keys, sort=False).agg(sp=("sp", "sum"), size=("size", "sum"))
        results.append((region.sp / region["size"]).rename(f"proximity_{weight}"))
    return pd.concat(results, axis=1).reset_index()


def warehouse_proximity(warehouse: Path) -> pd.DataFrame:
    with connect(warehouse) as con:
        return con.sql("""
            pivot (select year, region_level, region_code, industry_digits, weight, proximity
                   from region_proximity where not is_flagged)
            on weight using first(proximity)
        """).df().rename(columns={w: f"proximity_{w}" for w in WEIGHTS})


def max_difference(a: pd.DataFrame, b: pd.DataFrame) -> float:
    keys = ["year", "region_level", "region_code", "industry_digits"]
    cols = [f"proximity_{w}" for w in WEIGHTS]
    merged = a.merge(b, on=keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    both = merged[merged["_merge"] == "both"]
    worst = 0.0
    for col in cols:
        x, y = both[f"{col}_a"].to_numpy(float), both[f"{col}_b"].to_numpy(float)
        present = ~(np.isnan(x) & np.isnan(y))
        if (np.isnan(x) != np.isnan(y))[present].any():
            return float("inf")
        diff = np.abs(x - y)[present & ~np.isnan(x)]
        worst = max(worst, float(diff.max()) if len(diff) else 0.0)
    a_only = merged["_merge"] == "left_only"
    b_only = merged["_merge"] == "right_only"
    # A region present on one side only must be one with no index (fewer than two industries everywhere).
    for side, mask in (("a", a_only), ("b", b_only)):
        if merged.loc[mask, [f"{c}_{side}" for c in cols]].notna().any().any():
            return float("inf")
    return worst


def _median_time(func, repeats: int):
    times, value = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def compare_region_proximity(warehouse: Path, target: Path, raw: Path, ref: Path, repeats: int,
                             with_pandas: bool = True, pandas_county_only: bool = False) -> dict:
    cells, phi = load_inputs(warehouse)
    dbt_vars = {"raw_dir": str(raw), "reference_dir": str(ref)}

    def sql():
        # the index is two models: the P(r,i) terms, and P(r) adding up their contributions
        result = run_dbt(["run", "--select", "region_industry_proximity", "region_proximity"], warehouse, dbt_vars,
                         target)
        if not result.success:
            raise RuntimeError("dbt run of region_industry_proximity and region_proximity failed")
        return sum(float(r.execution_time) for r in result.result.results
                   if str(r.node.resource_type).endswith("model"))

    sql_times = [sql() for _ in range(repeats)]
    prepared = prepare_dense(cells, phi)
    numpy_seconds, floor = _median_time(lambda: proximity_numpy(prepared), repeats)
    out = {"sql_seconds": statistics.median(sql_times), "numpy_seconds": numpy_seconds,
           "n_cells": len(cells), "n_regions": int(cells[["year", "region_level", "region_code"]].drop_duplicates().shape[0])}
    built = warehouse_proximity(warehouse)
    out["max_diff_sql_numpy"] = max_difference(built, floor)
    if with_pandas:
        # At full scale the peer's pairwise merge runs to ~10^8 rows: it gets the county x 4-digit slice
        # only, while the SQL time stays that of the whole mart (so the ratio understates the SQL's lead).
        peer_cells = cells
        if pandas_county_only:
            peer_cells = cells[(cells.region_level == "county") & (cells.industry_digits == 4)]
        out["pandas_scope"] = "county x 4-digit" if pandas_county_only else "whole mart"
        pandas_seconds, peer = _median_time(lambda: proximity_pandas(peer_cells, phi), 1)
        out["pandas_seconds"] = pandas_seconds
        in_scope = built if not pandas_county_only else built[
            (built.region_level == "county") & (built.industry_digits == 4)]
        out["max_diff_sql_pandas"] = max_difference(in_scope, peer)
        out["sql_vs_pandas_speedup"] = pandas_seconds / out["sql_seconds"]
    out["sql_vs_numpy_ratio"] = out["sql_seconds"] / numpy_seconds
    return out


# ------------------------------------------------------------------------- relatedness and complexity


def bench_complexity(work: Path, repeats: int = 3) -> dict:
    """country_product_complexity on the real 226 x 785 trade table (the shipped world_trade): the SQL (its
    two models, `dbt run`, median of repeats) against the pinned PyPI `ecomplexity` on the same table, and
    their largest difference. ecomplexity is given Stata's proximity (diagonal 0) and its numpy population
    sd is converted to Stata's sd over the rows, so that both compute the same numbers; its time is that
    call's (it then skips its own proximity step)."""
    import warnings

    from ecomplexity import ecomplexity

    from cluster_finance.reference import read_shipped
    from cluster_finance.warehouse import build_warehouse

    raw, ref = work / "raw_complexity", work / "ref_complexity"
    raw.mkdir(parents=True, exist_ok=True)
    ref.mkdir(parents=True, exist_ok=True)
    trade = read_shipped("world_trade")
    trade.to_parquet(ref / "world_trade.parquet", index=False)
    read_shipped("isic_sitc").to_parquet(ref / "isic_sitc.parquet", index=False)
    warehouse, target = work / "wh_complexity.duckdb", work / "target_complexity"
    build_warehouse(raw, ref, warehouse, target_path=target, select=["+country_product_complexity"])
    dbt_vars = {"raw_dir": str(raw), "reference_dir": str(ref)}

    def sql():
        result = run_dbt(["run", "--select", "int_country_product_eigenvectors", "country_product_complexity"],
                         warehouse, dbt_vars, target)
        if not result.success:
            raise RuntimeError("dbt run of the complexity models failed")
        return sum(float(r.execution_time) for r in result.result.results)

    sql_seconds = statistics.median(sql() for _ in range(repeats))
    with connect(warehouse) as con:
        built = con.sql("select * from country_product_complexity").df()
        products = sorted(built["product"].unique())
        present = built.pivot(index="country", columns="product", values="is_present").astype(float)[products]
    m = present.to_numpy()
    co_occurrence = m.T @ m
    ubiquity = m.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.nan_to_num(np.minimum(co_occurrence / ubiquity[None, :], co_occurrence / ubiquity[:, None]))
    np.fill_diagonal(phi, 0.0)
    edges = pd.DataFrame({"prod1": np.repeat(products, len(products)), "prod2": np.tile(products, len(products)),
                          "proximity": phi.ravel()})
    peer_input = trade.assign(year=0)

    def peer():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ecomplexity(peer_input, {"time": "year", "loc": "country", "prod": "product", "val": "value"},
                               proximity_edgelist=edges, check_logsupermodularity=False, verbose=False)

    peer_seconds, peer_out = _median_time(peer, repeats)
    n = m.size
    factor = np.sqrt((n - 1) / n)
    merged = built.merge(peer_out, on=["country", "product"], suffixes=("", "_peer"))
    differences = {"rca": np.nanmax(np.abs(merged["rca"] - merged["rca_peer"])),
                   "density": np.nanmax(np.abs(merged["density"] - merged["density_peer"]))}
    for column in ("eci", "pci", "coi", "cog"):
        differences[column] = float(np.nanmax(np.abs(merged[column] - factor * merged[f"{column}_peer"])))
    with connect(warehouse) as con:
        iterations = int(con.execute("select max(iterations) from int_country_product_eigenvectors").fetchone()[0])
    return {"n_countries": int(m.shape[0]), "n_products": int(m.shape[1]), "sql_seconds": sql_seconds,
            "ecomplexity_seconds": peer_seconds, "ecomplexity_vs_sql": peer_seconds / sql_seconds,
            "power_iterations": iterations, "max_diff": max(float(v) for v in differences.values()),
            "max_diff_by_column": {k: float(v) for k, v in differences.items()},
            # what a user comparing the two without undoing the sd convention sees
            "eci_sd_convention_diff": float(np.nanmax(np.abs(merged["eci"] - merged["eci_peer"])))}


# ---------------------------------------------------------------------------------- township scale


def make_township_census(raw: Path, out: Path, per_county: int = 14) -> int:
    """Re-code every firm to one of `per_county` townships of its county (stable per firm_id), so the
    warehouse's finest region level has ~40,000 regions. Codes: province (2 digits) + a 4-digit index."""
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    frames = {p: pq.read_table(p).to_pandas() for p in sorted(raw.glob("firms_*.parquet"))}
    counties = sorted(set().union(*[set(f.county_code) for f in frames.values()]))
    n_regions = 0
    base = {}
    for province, group in pd.Series(counties).groupby(pd.Series(counties).str[:2]):
        for i, county in enumerate(group):
            base[county] = (province, i * per_county)
    province_of = {c: b[0] for c, b in base.items()}
    first_of = {c: b[1] for c, b in base.items()}
    for path, frame in frames.items():
        township = (pd.util.hash_pandas_object(frame.firm_id, index=False).to_numpy() % per_county).astype("int64")
        offset = frame.county_code.map(first_of).to_numpy().astype("int64") + township
        frame["county_code"] = frame.county_code.map(province_of) + pd.Series(offset.astype(str)).str.zfill(4).to_numpy()
        n_regions = max(n_regions, frame.county_code.nunique())
        frame.to_parquet(out / path.name, index=False)
    return n_regions


def write_township_geography(town_raw: Path, town_ref: Path) -> None:
    """The townships' own regions and crosswalk (each township continues under its code), replacing the
    shipped county tables, which know no township code."""
    import pyarrow.parquet as pq

    codes = {int(p.stem.split("_")[1]): set(pq.read_table(p, columns=["county_code"]).column(0).to_pylist())
             for p in sorted(town_raw.glob("firms_*.parquet"))}
    regions = pd.DataFrame([(c, y) for y, cs in codes.items() for c in sorted(cs)], columns=["county_code", "year"])
    regions.to_parquet(town_ref / "regions.parquet", index=False)
    years = sorted(codes)
    kept = sorted(codes[years[0]] & codes[years[-1]])
    pd.DataFrame({"code_from": kept, "year_from": years[0], "code_to": kept, "year_to": years[-1]}) \
        .to_parquet(town_ref / "county_crosswalk.parquet", index=False)


# ------------------------------------------------------------------------------------------ driver


def _bench_scale(scale: float, work: Path, repeats: int, with_pandas: bool, full: bool) -> dict:
    raw, ref = work / f"raw_{scale}", work / f"ref_{scale}"
    warehouse, target = work / f"wh_{scale}.duckdb", work / f"target_{scale}"
    row: dict = {"scale": scale}
    row["generate_seconds"], row["generate_peak_mb"], _ = _child(GENERATE, str(raw), str(ref), str(scale))
    import pyarrow.parquet as pq

    row["n_firms"] = sum(pq.read_metadata(p).num_rows for p in raw.glob("firms_*.parquet"))
    builds = []
    for _ in range(repeats if full else 1):
        seconds, peak, out = _child(BUILD, str(raw), str(ref), str(warehouse), str(target))
        builds.append((json.loads(out.strip().splitlines()[-1]), peak))
    row["dbt_build_seconds"] = statistics.median(b[0]["seconds"] for b in builds)
    row["dbt_build_peak_mb"] = max(b[1] for b in builds)
    row["dbt_build_seconds_per_million_firms"] = row["dbt_build_seconds"] / (row["n_firms"] / 1e6)
    row["stages"] = {k: statistics.median(_stage_times(b[0]["timings"]).get(k, 0.0) for b in builds)
                     for k in list(STAGES) + ["other marts"]}
    if full:
        reports = work / "reports"
        try:
            row["check_seconds"], row["check_peak_mb"], _ = _child(CHECK, str(warehouse), str(raw), str(ref), str(reports))
        except RuntimeError as err:
            row["check_error"] = str(err)[-300:]
        try:
            row["analyse_seconds"], row["analyse_peak_mb"], _ = _child(ANALYSE, str(warehouse), str(reports))
        except RuntimeError as err:
            row["analyse_error"] = str(err)[-300:]
    row["region_proximity"] = compare_region_proximity(warehouse, target, raw, ref, repeats, with_pandas,
                                                       pandas_county_only=scale >= 1.0)
    return row


def _township(work: Path, scale: float, repeats: int) -> dict:
    raw, ref = work / f"raw_{scale}", work / f"ref_{scale}"
    town_raw, town_ref = work / "raw_township", work / "ref_township"
    n = make_township_census(raw, town_raw)
    town_ref.mkdir(exist_ok=True)
    for path in ref.iterdir():  # county tables do not apply to townships
        if not path.stem.startswith(("county_crosswalk", "regions")):
            shutil.copy(path, town_ref / path.name)
    write_township_geography(town_raw, town_ref)
    warehouse, target = work / "wh_township.duckdb", work / "target_township"
    seconds, peak, out = _child(BUILD, str(town_raw), str(town_ref), str(warehouse), str(target))
    timings = json.loads(out.strip().splitlines()[-1])["timings"]
    row = {"n_townships": n, "dbt_build_seconds": seconds, "dbt_build_peak_mb": peak,
           "region_proximity_model_seconds": _stage_times(timings).get("region proximity", 0.0)}
    row["region_proximity"] = compare_region_proximity(warehouse, target, town_raw, town_ref, repeats,
                                                       with_pandas=False)
    return row


def summarise(result: dict) -> str:
    lines = ["# Benchmark", "", f"Machine: {result['machine']}; {result['date']}.", "",
             "| scale | firms | generate s | dbt build s | s per M firms | build peak MB | region proximity SQL s | numpy floor s | SQL / floor | pandas s | pandas / SQL | max diff |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in result["scales"]:
        rp = row["region_proximity"]
        lines.append(
            f"| {row['scale']} | {row['n_firms']:,} | {row['generate_seconds']:.1f} | {row['dbt_build_seconds']:.1f} | "
            f"{row['dbt_build_seconds_per_million_firms']:.1f} | {row['dbt_build_peak_mb']:.0f} | {rp['sql_seconds']:.2f} | "
            f"{rp['numpy_seconds']:.3f} | {rp['sql_vs_numpy_ratio']:.1f} | {rp.get('pandas_seconds', float('nan')):.2f} | "
            f"{rp.get('sql_vs_pandas_speedup', float('nan')):.1f} | "
            f"{max(rp['max_diff_sql_numpy'], rp.get('max_diff_sql_pandas', 0.0)):.1e} |")
    for row in result["scales"]:
        lines.append("")
        lines.append(f"Stages at scale {row['scale']} (dbt model time, s): " + ", ".join(
            f"{k} {v:.1f}" for k, v in row["stages"].items()))
        for key in ("check_seconds", "analyse_seconds"):
            if key in row:
                lines.append(f"{key.replace('_', ' ')}: {row[key]:.1f}")
    if "complexity" in result:
        c = result["complexity"]
        lines += ["", f"Relatedness and complexity on the real {c['n_countries']} x {c['n_products']} trade table: "
                      f"SQL (country_product_complexity and its eigenvectors) {c['sql_seconds']:.2f} s, PyPI "
                      f"ecomplexity {c['ecomplexity_seconds']:.2f} s ({c['ecomplexity_vs_sql']:.1f}x the SQL); "
                      f"largest difference {c['max_diff']:.1e} (eci, pci, coi, cog, density, rca; sd convention "
                      f"aligned; {c['eci_sd_convention_diff']:.1e} in ECI without aligning it); "
                      f"{c['power_iterations']} power steps."]
    if "township" in result:
        t = result["township"]
        lines += ["", f"Township scale: {t['n_townships']:,} regions; dbt build {t['dbt_build_seconds']:.1f} s, "
                      f"peak {t['dbt_build_peak_mb']:.0f} MB; region proximity SQL {t['region_proximity']['sql_seconds']:.2f} s "
                      f"vs numpy {t['region_proximity']['numpy_seconds']:.3f} s."]
    lines += ["", "## Targets", ""] + [f"- {t}" for t in result["targets"]]
    return "\n".join(lines) + "\n"


def check_targets(result: dict) -> list[str]:
    out = []
    full = next((r for r in result["scales"] if r["scale"] == 1.0), None)
    if full:
        rp = full["region_proximity"]
        out.append(f"dbt build at full scale {full['dbt_build_seconds']:.0f} s (target < 60 s): "
                   f"{'met' if full['dbt_build_seconds'] < 60 else 'MISSED by %.0f s' % (full['dbt_build_seconds'] - 60)}")
        out.append(f"region proximity SQL / numpy floor {rp['sql_vs_numpy_ratio']:.1f}x (target <= 10x): "
                   f"{'met' if rp['sql_vs_numpy_ratio'] <= 10 else 'MISSED'}")
        added = full["stages"].get("relatedness and complexity", 0.0)
        out.append(f"relatedness and complexity models at full scale {added:.1f} s of model time (target <= 10 s): "
                   f"{'met' if added <= 10 else 'MISSED'}")
        if "sql_vs_pandas_speedup" in rp:
            out.append(f"SQL vs pandas peer {rp['sql_vs_pandas_speedup']:.1f}x faster (target >= 10x): "
                       f"{'met' if rp['sql_vs_pandas_speedup'] >= 10 else 'MISSED'}")
    scales = sorted(result["scales"], key=lambda r: r["scale"])
    if len(scales) >= 2:
        a, b = scales[-2], scales[-1]
        firm_ratio = b["n_firms"] / a["n_firms"]
        dependent = ("ingest and staging", "other marts")
        time_ratio = sum(b["stages"][k] for k in dependent) / max(1e-9, sum(a["stages"][k] for k in dependent))
        out.append(f"firm-dependent stages x{time_ratio:.1f} for x{firm_ratio:.1f} firms (target: at most linear): "
                   f"{'met' if time_ratio <= firm_ratio * 1.05 else 'MISSED'}")
    if "township" in result:
        t = result["township"]
        out.append(f"township region proximity {t['region_proximity']['sql_seconds']:.1f} s, build peak "
                   f"{t['dbt_build_peak_mb']:.0f} MB (target < 60 s, < 8 GB): "
                   f"{'met' if t['region_proximity']['sql_seconds'] < 60 and t['dbt_build_peak_mb'] < 8192 else 'MISSED'}")
    return out


def run_benchmark(args) -> dict:
    quick = getattr(args, "quick", False)
    scales = [0.01, 0.03] if quick else [0.1, 1.0, 5.0]
    repeats = 1 if quick else 3
    work = Path(tempfile.mkdtemp(prefix="cluster_finance_bench_"))
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "date": time.strftime("%Y-%m-%d %H:%M"), "quick": quick, "scales": []}
    try:
        for scale in scales:
            print(f"bench: scale {scale} ...", flush=True)
            result["scales"].append(_bench_scale(scale, work, repeats, with_pandas=scale <= 1.0,
                                                 full=(scale == 1.0 or quick)))
        print("bench: relatedness and complexity on the real trade table ...", flush=True)
        result["complexity"] = bench_complexity(work, repeats)
        print("bench: township scale ...", flush=True)
        result["township"] = _township(work, scales[0] if quick else 1.0, 1 if quick else 3)
    finally:
        result["targets"] = check_targets(result)
        out_dir = Path(getattr(args, "out_dir", None) or BENCH_DIR)
        out_dir.mkdir(parents=True, exist_ok=True)
        name = "quick" if quick else "latest"
        (out_dir / f"{name}.json").write_text(json.dumps(result, indent=2, default=float))
        (out_dir / f"{name}.md").write_text(summarise(result) if result["scales"] else "# Benchmark\n\nfailed\n")
        shutil.rmtree(work, ignore_errors=True)
    print(summarise(result))
    return result
