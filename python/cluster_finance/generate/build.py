"""generate_census: orchestrates reference tables, both censuses, the panel and planted effects."""
from __future__ import annotations

import csv
import os
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import calibrate as cal
from . import census as cs
from . import firms as fm
from . import proximity as prox
from ..reference import read_shipped
from .reference import make_geography, make_industries
from .targets import load_targets

FIRM_COLUMNS = ["firm_id", "firm_name", "county_code", "industry_code", "founding_year", "output", "sales",
                "export_value", "value_added", "value_added_income", "employment", "total_assets",
                "fixed_assets", "total_debt", "accounts_receivable", "accounts_payable", "state_share",
                "collective_share", "private_share", "hmt_share", "foreign_share"]
_IND_WORD = "煤矿 油田 铁矿 有色矿 石料 矿业 粮油 食品 酒业 烟草 纺织 服装 皮革 木业 家具 纸业 印刷 文体 炼油 化工 制药 化纤 橡胶 塑料 建材 钢铁 冶炼 五金 机械 设备 汽车 电机 电器 电子 仪器 回收 电力 燃气 水务".split()
_SYL = list("华兴隆盛泰达丰源鑫宏永昌金顺利恒嘉富民康安新光明")
ES_LO, ES_HI = 0.01, 0.995   # export/sales of exporters (kept below 1 after rounding)
ES_BETA = (1.2, 1.15)          # export/sales of new exporters (Beta a, b)
ES_SWITCH_BOTH = 0.3           # HMT/foreign ownership switchers exporting in neither year made exporters in both
PANEL_NEW_ID_SHARE = 0.01      # panel firms whose firm_id changes (name unchanged up to the legal form)
SMALL_ROUNDS = 4               # rounds steering Table 8's small-firm lag and proximity effects
SMALL_B0 = (1.0, -0.5)         # first (lag, proximity) weights of the 2004 small-share index
SMALL_TOL = np.array([0.01, 0.1])   # column 4: lag and proximity coefficients within these of the paper


class _Steps:
    def __init__(self, progress: bool, n: int):
        self.bar = None
        self.seconds: dict[str, float] = {}      # wall time of each step, for the summary
        self._t = time.time()
        if progress:
            from rich.progress import Progress
            self.bar = Progress(transient=False)
            self.task = self.bar.add_task("generating synthetic census", total=n)

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self

    def step(self, what: str):
        now = time.time()
        self.seconds[what] = round(now - self._t, 2)
        self._t = now
        if self.bar:
            self.bar.update(self.task, advance=1, description=what)

    def __exit__(self, *a):
        if self.bar:
            self.bar.__exit__(*a)


def _write_csv(df: pd.DataFrame, path: Path):
    df.to_csv(path, index=False, quoting=csv.QUOTE_NONNUMERIC, encoding="utf-8", lineterminator="\n")


def _firm_id_numbers(rng, n):
    """Distinct eight-digit numbers; the firm_id is the number, '-', and a check character."""
    return rng.choice(90_000_000, size=n, replace=False) + 10_000_000


def _firm_id_strings(num: np.ndarray) -> pa.Array:
    chk = pc.take(pa.array(list("0123456789X")), pa.array(num % 11))
    return pc.binary_join_element_wise(pc.cast(pa.array(num), pa.string()), chk, "-")


def _take_text(values, idx) -> pa.Array:
    """values[idx] as an Arrow string array, taken in Arrow (not as a million Python strings)."""
    return pc.take(pa.array(values, pa.string()), pa.array(idx))


def generate_census(out_dir, reference_dir, scale: float = 1.0, seed: int = 0, progress: bool = True,
                    paper_dir=None) -> dict:
    t_start = time.time()
    out_dir, reference_dir = Path(out_dir), Path(reference_dir)
    out_dir.mkdir(parents=True, exist_ok=True); reference_dir.mkdir(parents=True, exist_ok=True)
    targets = load_targets(paper_dir)
    ss = np.random.SeedSequence([seed, int(round(scale * 1e6))])
    rngs = [np.random.default_rng(s) for s in ss.spawn(12)]     # rngs[2] (once the synthetic trade's) unused
    with _Steps(progress, 10) as st:
        # ---------------- reference tables and proximity ----------------
        # the real product space (shipped world trade and ISIC -> SITC), real counties and CIC 2002 classes
        world_trade, isic_sitc = read_shipped("world_trade"), read_shipped("isic_sitc")
        products, _ = prox.product_proximity_from_trade(world_trade)
        geo = make_geography(rngs[0], scale, list(targets.provinces["province_code"]))
        ind = make_industries(rngs[1], products)
        labels, mat, _ = prox.harmonised_industry_proximity(ind.concordance, ind.industry_isic, isic_sitc, world_trade)
        space = cs.build_space(geo, ind, labels, mat, targets)
        st.step("reference tables and product space")

        # ---------------- 1995 census ----------------
        rng = rngs[3]
        mg = cs.margins(targets, scale)
        spec = rng.lognormal(0, 0.6, (len(space.divisions), len(space.provinces)))
        cells95 = cs.joint_counts(rng, *mg[1995], spec)
        cells04 = cs.joint_counts(rng, *mg[2004], spec * rng.lognormal(0, 0.25, spec.shape))
        base = cs.unit_weights(rng, space)
        csize = geo.size
        core = cs.county_core(rng, space, base)
        kappa95 = np.maximum(0, rng.normal(cs.KAPPA_MEAN, cs.KAPPA_SD, space.n_counties))
        kappa04 = np.maximum(0, kappa95 + rng.normal(cs.KAPPA_GROWTH, 0.5, space.n_counties))
        y95 = cs.expand(cs.allocate_1995(rng, space, cells95, csize, base, kappa95, core), space, 1995)
        y95.output = cs.draw_output(rng, y95, targets, space)
        # 1995 small-firm counts carry county noise (outputs permuted within cells, all moments kept): a
        # county's small share in each cell is logistic(-kappa (SMALL95_NOISE z + c_cell)), z ~ N(0, 1).
        # Without it small-firm counts are as persistent as all firms and Table 8's small-firm lag
        # coefficient (0.354) is out of reach at scale 0.1 (see DGP.md).
        pl95 = cs.SmallFirmPlacer(rngs[11], y95, space.n_counties, len(space.provinces), len(space.divisions))
        y95.output = pl95.place(pl95.counts(cs.SMALL95_NOISE * rngs[11].standard_normal(space.n_counties))[0])
        del pl95
        y95.employment, y95.assets = cs.employment_assets(rng, y95.output)
        P95 = cs.county_proximities(space, y95, space.n_counties)
        st95 = cs.county_stats(y95, space.n_counties)
        st.step("1995 census")

        # ---------------- Table 8: 2004 county counts ----------------
        rng = rngs[4]
        n95 = st95["n_firms"]; ns95 = st95["n_small"]
        okP = np.isfinite(P95["output"]) & np.isfinite(P95["employment"]) & np.isfinite(P95["asset"])
        prov_tot04 = cells04.sum(0)
        lag = np.log(np.maximum(n95, 1))
        s8 = okP & (n95 > 0)
        logn04 = cs.plant_log_counts(rng, targets, "log_n_firms_2004", lag, P95, space.county_province,
                                     prov_tot04.astype(float), s8, r2=0.72)
        n04 = cs.counts_from_logs(logn04, space.county_province, prov_tot04)
        st.step("planted 2004 county firm counts (Table 8)")

        # ---------------- 2004 census ----------------
        rng = rngs[5]
        base04 = base * np.exp(cs.CENTRALITY_GROWTH * cs.centrality_z(space))
        y04 = cs.expand(cs.allocate_2004(rng, space, cells04, n04, csize, base04, kappa04, core), space, 2004)
        y04.output = cs.draw_output(rng, y04, targets, space)
        s8s = okP & (ns95 > 0)
        # Small firms are placed by permuting outputs within (province, division) cells (all output
        # moments kept): a county gets the share logistic(-kappa (eta + c_cell)) of its firms in each
        # cell as small firms, eta = b_lag * lag + b_prox * proximity direction + SMALL_SURPLUS * 2004
        # firm surplus.  With ~75% of 2004 firms small and capped by n04, a lag coefficient of 0.35
        # (all firms: 1.08) needs widely dispersed shares: counties with fewer firms than predicted
        # keep few small firms, the others nearly all.  (b_lag, b_prox) are solved by Newton steps on
        # the unrounded counts so that column 4's lag and proximity coefficients are the paper's; the
        # rounding moves them a little, so later rounds aim off by the realised gap.
        want = np.array([targets.coef(8, 4, "log_n_small_firms_2004", v)
                         for v in ("log_n_small_firms_1995", "proximity_1995_output")])
        index = cs.small_share_index(targets, n04, np.log(np.maximum(ns95, 1)), P95, s8s)
        eta = lambda b: np.array([b[0], b[1], cs.SMALL_SURPLUS]) @ index
        col4 = lambda ns04: cs.small_firm_coefs(ns04, ns95, P95, s8s)[0, 1:]
        placer = cs.SmallFirmPlacer(rng, y04, space.n_counties, len(space.provinces), len(space.divisions))
        b, goal, best = np.array(SMALL_B0), want, None
        for rnd in range(SMALL_ROUNDS):
            b, fb = cal.newton(lambda b: col4(placer.county_expected(eta(b))) - goal, b, tol=SMALL_TOL / 4)
            if abs(fb[0]) > SMALL_TOL[0]:
                # In a small census the lag coefficient can be out of reach; the joint solution then gives
                # up some of the proximity effect (the planted one), so hold b_lag and meet proximity alone.
                b[1] = cal.newton(lambda p: col4(placer.county_expected(eta([b[0], p[0]])))[1:] - goal[1:],
                                  b[1:], tol=SMALL_TOL[1:] / 4)[0][0]
            kint, ns04 = placer.counts(eta(b))
            got = col4(ns04)
            gap = np.abs(got - want) / SMALL_TOL
            # best round: the proximity effect within its tolerance first, then the smallest gap
            if best is None or (gap[1] > 1, gap.max()) < best[3]:
                best = (b, got, kint, (gap[1] > 1, gap.max()))
            if np.all(np.abs(got - want) <= SMALL_TOL):
                break
            goal = goal - (got - want)
        small_b, small_got, kint, _ = best     # named apart: later steps reuse short names
        small_rounds = rnd + 1
        out_small = placer.place(kint)
        y04.output = out_small
        y04.employment, y04.assets = cs.employment_assets(rng, y04.output)
        st.step("2004 census")

        # ---------------- panel ----------------
        rng = rngs[6]
        n_panel = int(round(cs.PANEL_FIRMS_FULL * scale))
        p95, p04 = fm.form_panel(rng, y95.county, y95.iunit, y04.county, y04.iunit,
                                 np.log(y95.output), np.log(y04.output), space.n_units, n_panel)
        # survivors: panel firms keep (roughly) their size rank; assets/employment persist
        y04.assets[p04] = np.exp(0.6 * np.log(y95.assets[p95]) + 0.4 * np.log(y04.assets[p04]) + 0.35)
        y04.employment[p04] = np.maximum(1, np.round(np.exp(0.6 * np.log(y95.employment[p95]) + 0.4 * np.log(y04.employment[p04]) - 0.1))).astype(np.int64)
        st.step("1995-2004 firm panel")

        # ---------------- Table 6: minimum capital ----------------
        rng = rngs[7]
        nat04 = cs.county_stats(y04, space.n_counties)
        s6 = okP & (n95 > 0) & (n04 > 0)
        y04.assets = cs.plant_min_assets(rng, targets, y04, st95, P95, s6, space.n_counties, nat04)
        P04 = cs.county_proximities(space, y04, space.n_counties)
        st.step("planted minimum capital (Table 6) and 2004 proximity")

        # ---------------- firm variables ----------------
        rng = rngs[8]
        N95, N04 = len(y95.county), len(y04.county)
        age95 = np.minimum(99, np.floor(rng.gamma(0.93, 14.1, N95))).astype(np.int64)
        found95 = 1995 - age95
        age04 = np.minimum(99, np.floor(rng.gamma(0.7, 9.0, N04))).astype(np.int64)
        found04 = 2004 - age04
        found04[p04] = found95[p95]
        mis = rng.random(len(p04)) < 0.2
        found04[p04[mis]] += rng.integers(-3, 4, mis.sum())
        found04 = np.clip(found04, 2004 - 99, 2004)      # ages stay in [0, 99], as in Table 5
        own95 = fm.draw_ownership(rng, N95, fm.OWNERSHIP_PANEL)
        own04 = fm.draw_ownership(rng, N04, fm.OWNERSHIP_NEW2004)
        keep = rng.random(len(p04)) < 0.8
        redraw = fm.draw_ownership(rng, len(p04), fm.OWNERSHIP_PANEL)
        for a, b, r in zip(own04, own95, redraw):
            a[p04] = np.where(keep, b[p95], r)
        sh95 = fm.ownership_shares(*own95); sh04 = fm.ownership_shares(*own04)
        cols = {}
        for yr, N, sh, found in ((y95, N95, sh95, found95), (y04, N04, sh04, found04)):
            c = {}
            c["founding_year"] = found
            c["sales"] = yr.output * np.exp(rng.normal(-0.03, 0.08, N))
            c["total_debt"] = yr.assets * np.minimum(rng.gamma(4.09, 0.156, N), 2.9)
            c["fixed_assets"] = yr.assets * rng.beta(1.45, 2.34, N)
            c["accounts_receivable"] = c["sales"] * np.minimum(rng.gamma(0.8, 0.32, N), 1.98)
            c["accounts_payable"] = c["total_debt"] * np.minimum(rng.gamma(0.68, 0.30, N), 1.18)
            exporter = rng.random(N) < 0.118
            c["export_value"] = np.where(exporter, c["sales"] * rng.beta(1.2, 1.15, N), 0.0)
            c["value_added"] = yr.output * np.exp(rng.normal(np.log(0.27), 0.8, N))
            c["value_added_income"] = c["value_added"] * np.exp(rng.normal(0.03, 0.15, N))
            for k, name in enumerate(fm.SHARE_NAMES):
                c[name] = sh[:, k]
            cols[yr.year] = c
        st.step("firm variables")

        # ---------------- planted firm-panel effects (Tables 7, 9, 10) ----------------
        rng = rngs[9]
        c95, c04 = cols[1995], cols[2004]
        pc95, pc04 = y95.county[p95], y04.county[p04]
        okp = np.ones(len(p95), bool)
        for w in cs.WEIGHTS:
            okp &= np.isfinite(P95[w][pc95]) & np.isfinite(P04[w][pc04])
        i95, i04 = p95[okp], p04[okp]
        dP = np.column_stack([P04[w][y04.county[i04]] - P95[w][y95.county[i95]] for w in ("asset", "employment", "output")])

        def ctrl(name, cc, yr, idx, year):
            if name == "firm_age":
                return year - cc["founding_year"][idx]
            if name == "log_sales":
                return np.log(cc["sales"][idx])
            if name == "debt_asset":
                return cc["total_debt"][idx] / yr.assets[idx]
            if name == "fixed_asset_asset":
                return cc["fixed_assets"][idx] / yr.assets[idx]
            if name == "log_labor":
                return np.log(yr.employment[idx])
            if name == "log_asset":
                return np.log(yr.assets[idx])
            src = {"private_share": "private_share", "hmt_share": "hmt_share", "other_foreign_share": "foreign_share"}[name]
            return cc[src][idx]

        def D(names):
            return np.column_stack([ctrl(n, c04, y04, i04, 2004) - ctrl(n, c95, y95, i95, 1995) for n in names])

        t7c = ["firm_age", "log_sales", "debt_asset", "fixed_asset_asset", "private_share", "hmt_share", "other_foreign_share"]
        D7 = D(t7c)
        for dep, cols_, num, den, lo, hi, lvl in (
            ("accounts_payable_total_debt", [("asset", 1), ("employment", 2), ("output", 3)], "accounts_payable", "total_debt", 0.0, 1.19, (0.45, 0.36)),
            ("accounts_receivable_revenue", [("asset", 4), ("employment", 5), ("output", 6)], "accounts_receivable", "sales", 0.0, 1.99, (0.6, 0.29)),
        ):
            dy = fm.plant_fd(rng, targets, 7, cols_, dep, D7, t7c, dP, sd=0.10)
            lv = np.minimum(rng.gamma(lvl[0], lvl[1], len(i95)), hi)
            a, b = fm.place_levels(lv, dy, lo, hi)
            c95[num][i95] = a * c95[den][i95]
            c04[num][i04] = b * c04[den][i04]

        # Table 9: exporter (linear probability, Bernoulli, then steered) and export/sales (steered)
        t9c = ["firm_age", "log_sales", "private_share", "hmt_share", "other_foreign_share"]
        D9 = D(t9c)
        cols4 = [("asset", 4), ("employment", 5), ("output", 6)]
        cols1 = [("asset", 1), ("employment", 2), ("output", 3)]
        Z9, th_x = fm.fd_signal(targets, 9, cols4, "exporter", D9, t9c, dP)
        dpi = Z9 @ th_x

        def tol9(se, which):
            """Every coefficient of the three columns is steered: proximity to 5% of its SE, the others
            to 25% (the SE this sample would have: the paper's scaled by sqrt(its panel / this panel))."""
            is_proximity = np.tile(np.arange(len(which)) == len(which) - 1, 3)
            se_here = np.maximum(se, fm.SE_FLOOR) * np.sqrt(max(cs.PANEL_FIRMS_FULL / len(i95), 1.0))
            return np.where(is_proximity, 0.05, 0.25) * se_here

        tgt_x, se_x, which_x = fm.column_targets(targets, 9, cols4, "exporter", Z9, th_x, t9c)
        tol_x = tol9(se_x, which_x)
        # The planted change (Table 9) fixes the 2004 - 1995 difference; the 1995 level is set so that
        # the two years together give Table 5's mean (low-propensity firms 0.02, a high type 0.85).
        # Steering flips firms at random, which raises the level; set_binary_level takes it back down
        # through firms exporting in both years, and when there are too few of those the 1995 level
        # is lowered by what is left and the draw repeated.
        # Export/sales' HMT and foreign coefficients (0.208, 0.188) need large share changes of firms whose
        # ownership changes, while their exporter status may not rise (HMT +0.041) or must fall (foreign
        # -0.112): only firms exporting in both years can carry them.  So a share ES_SWITCH_BOTH of the
        # switchers exporting in neither year export in both (no first difference changes) and
        # set_binary_level leaves them alone.
        switch = (D9[:, 3] != 0) | (D9[:, 4] != 0)
        mean_x = targets.t5("exporter")[0]
        m95 = mean_x - dpi.mean() / 2
        for _ in range(4):
            high = rng.random(len(i95)) < np.clip((m95 - 0.02) / (0.85 - 0.02), 0, 1)
            pi95 = np.where(high, 0.85, 0.02)
            e95 = rng.random(len(i95)) < pi95
            e04 = rng.random(len(i95)) < np.clip(pi95 + dpi, 0, 1)
            e95, e04 = fm.steer_binary(rng, e95, e04, Z9, tgt_x, tol=tol_x, which=which_x)
            promote = switch & ~e95 & ~e04 & (rng.random(len(i95)) < ES_SWITCH_BOTH)
            e95, e04 = e95 | promote, e04 | promote
            e95, e04 = fm.set_binary_level(rng, e95, e04, mean_x, keep=switch)
            excess = (e95.mean() + e04.mean()) / 2 - mean_x
            if abs(excess) < 0.002:
                break
            m95 -= excess
        both = e95 & e04
        _, th_s = fm.fd_signal(targets, 9, cols1, "export_sales", D9, t9c, dP)
        des_target = Z9 @ th_s
        # Starting shares: entrants export a Beta share; 1995 exporters a share whose mean gives Table 5's
        # two-year mean given the planted change; continuing exporters change by the signal (dD).  Not
        # dividing dD by the share of continuing exporters keeps them off the bounds, where steer_share
        # could hardly move them.
        share_in = rng.beta(ES_BETA[0], ES_BETA[1], len(i95))
        s95 = (targets.t5("export_sales")[0] - des_target.mean() / 2) / max(e95.mean(), 1e-3)
        s95 = float(np.clip(s95, 0.05, 0.95))
        k = sum(ES_BETA)
        lvl95 = rng.beta(s95 * k, (1 - s95) * k, len(i95))
        dD = des_target + rng.normal(0, 0.05, len(i95))
        a, b = fm.place_levels(lvl95, dD, ES_LO, ES_HI)
        es95 = np.where(both, a, np.where(e95, np.clip(lvl95, ES_LO, ES_HI), 0.0))
        es04 = np.where(both, b, np.where(e04, np.clip(share_in, ES_LO, ES_HI), 0.0))
        # every coefficient, as for exporter status, and Table 5's pooled mean
        tgt_s, se_s, which_s = fm.column_targets(targets, 9, cols1, "export_sales", Z9, th_s, t9c)
        es95, es04, es_rounds, es_gap = fm.steer_share(es95, es04, e95, e04, Z9, tgt_s, ES_LO, ES_HI, which_s,
                                                       tol9(se_s, which_s), mean=targets.t5("export_sales")[0])
        c95["export_value"][i95] = es95 * c95["sales"][i95]
        c04["export_value"][i04] = es04 * c04["sales"][i04]

        # Table 10: log value added (VA2 output approach; VA1 mean of the two approaches)
        t10c = ["log_labor", "log_asset", "firm_age", "private_share", "hmt_share", "other_foreign_share"]
        D10 = np.column_stack([D(["log_labor", "log_asset"]), np.log(y04.employment[i04]), np.log(y04.assets[i04]),
                               D(["firm_age", "private_share", "hmt_share", "other_foreign_share"])])
        names10 = ["log_labor", "log_asset", "log_labor_x_year04", "log_asset_x_year04", "firm_age",
                   "private_share", "hmt_share", "other_foreign_share"]
        dy2 = fm.plant_fd(rng, targets, 10, [("asset", 4), ("employment", 5), ("output", 6)], "log_value_added2", D10, names10, dP, sd=0.45)
        dy1 = fm.plant_fd(rng, targets, 10, [("asset", 1), ("employment", 2), ("output", 3)], "log_value_added1", D10, names10, dP, sd=0.45)
        l2_95 = np.log(c95["value_added"][i95])
        c04["value_added"][i04] = np.exp(l2_95 + dy2)
        l1_95 = l2_95 + rng.normal(0.03, 0.08, len(i95))
        l1_04 = l1_95 + dy1
        # keep the income-approach value positive: 2*exp(VA1) > VA2 in both years (levels are free)
        need = np.maximum(np.log(c95["value_added"][i95]) - np.log(2) + 0.05 - l1_95,
                          np.log(c04["value_added"][i04]) - np.log(2) + 0.05 - l1_04)
        shift = np.maximum(need, 0)
        l1_95 += shift; l1_04 += shift
        c95["value_added_income"][i95] = 2 * np.exp(l1_95) - c95["value_added"][i95]
        c04["value_added_income"][i04] = 2 * np.exp(l1_04) - c04["value_added"][i04]
        st.step("planted firm-panel effects (Tables 7, 9, 10)")

        # ---------------- identifiers, codes, names; write ----------------
        rng = rngs[10]
        ids = _firm_id_numbers(rng, N95 + N04)
        id95 = ids[:N95]; id04 = ids[N95:].copy()
        frames = {}
        for yr, vint in ((y95, "1994"), (y04, "2002")):
            county_codes, county_pos = _pick_code(rng, geo.unit_codes[yr.year], "unit", "county_code", yr.county)
            industry_codes, industry_pos = _pick_code(rng, ind.unit_codes[vint], "iunit", "industry_code", yr.iunit)
            frames[yr.year] = [yr, None, (county_codes, county_pos), (industry_codes, industry_pos), cols[yr.year]]
        # panel firms in a county split/merged between censuses keep their harmonised county; their
        # 2004 code is drawn among the 2004 codes of that county (done above via unit weights)
        # Panel firms keep their firm_id, except a planted ~1% (PANEL_NEW_ID_SHARE) whose id changes while
        # their county code and normalised name stay: the warehouse's name fallback has these to find.
        (c95, q95), (c04, q04) = frames[1995][2], frames[2004][2]
        same_code = c95[q95[p95]] == c04[q04[p04]]
        new_id = same_code & (rng.random(len(p04)) < PANEL_NEW_ID_SHARE)
        id04[p04[~new_id]] = id95[p95[~new_id]]
        frames[1995][1], frames[2004][1] = id95, id04
        core_table, core95, core04 = _firm_name_cores(rng, y95, y04, p95, p04)
        suffix = np.array(["有限公司", "厂", "股份有限公司", "公司"])
        suf = rng.choice(4, N95 + N04, p=[0.5, 0.3, 0.1, 0.1])
        suf95, suf04 = suf[:N95], suf[N95:].copy()
        renamed = rng.random(len(p04)) < 0.15
        suf04[p04] = np.where(renamed, (suf95[p95] + 1 + rng.integers(0, 3, len(p04))) % 4, suf95[p95])
        names_by_code = geo.regions.drop_duplicates("county_code").set_index("county_code")["county_name"]
        schema = pa.schema([(c, pa.string()) for c in FIRM_COLUMNS[:4]] + [("founding_year", pa.int64())] +
                           [(c, pa.float64()) for c in FIRM_COLUMNS[5:10]] + [("employment", pa.int64())] +
                           [(c, pa.float64()) for c in FIRM_COLUMNS[11:]])
        written = {}
        counts = {}
        for year, core_n, suf_n in ((1995, core95, suf95), (2004, core04, suf04)):
            yr, ids_y, (ccodes, cpos), (icodes, ipos), cc = frames[year]
            order = np.argsort(ids_y)      # = firm_id order: the ids are fixed-width numbers
            firm_name = pc.binary_join_element_wise(
                _take_text(names_by_code.reindex(ccodes).to_numpy().astype(str), cpos[order]),
                _take_text(core_table, core_n[order]), _take_text(np.array(_IND_WORD), yr.division[order]),
                _take_text(suffix, suf_n[order]), "")
            num = {"output": yr.output, "sales": cc["sales"], "export_value": cc["export_value"],
                   "value_added": cc["value_added"], "value_added_income": cc["value_added_income"],
                   "total_assets": yr.assets, "fixed_assets": cc["fixed_assets"], "total_debt": cc["total_debt"],
                   "accounts_receivable": cc["accounts_receivable"], "accounts_payable": cc["accounts_payable"]}
            num = {k: np.round(np.asarray(v, float), 3) for k, v in num.items()}
            num["output"] = np.maximum(num["output"], 0.001)
            num["total_assets"] = np.maximum(num["total_assets"], 0.001)
            num.update({k: cc[k] for k in fm.SHARE_NAMES})
            num["founding_year"] = cc["founding_year"].astype(np.int64)
            num["employment"] = yr.employment.astype(np.int64)
            columns = {"firm_id": _firm_id_strings(ids_y[order]), "firm_name": firm_name,
                       "county_code": _take_text(ccodes, cpos[order]), "industry_code": _take_text(icodes, ipos[order]),
                       **{k: pa.array(v[order]) for k, v in num.items()}}
            table = pa.table([columns[c] for c in FIRM_COLUMNS], schema=schema)
            path = out_dir / f"firms_{year}.parquet"
            pq.write_table(table, path, compression="snappy")
            written[f"firms_{year}"] = str(path)
            counts[year] = table.num_rows
        # Only what is synthetic: the 1994 vintage (concordance and its ISIC links) and Table 3's yearbook
        # column. The build takes world trade, ISIC -> SITC, regions, the crosswalk and the CIC 2002 -> ISIC
        # links from the tables the project ships.
        refs = {
            "industry_concordance": ind.concordance,
            "industry_isic": ind.industry_isic[ind.industry_isic["vintage"] == "1994"],
            "yearbook_totals": targets.yearbook,
        }
        for name, df in refs.items():
            p = reference_dir / f"{name}.csv"
            _write_csv(df, p)
            written[name] = str(p)
        st.step("written")
        if os.environ.get("CLUSTER_FINANCE_GENERATE_DEBUG"):
            pd.DataFrame({"county": geo.units["label"], **{f"P95_{w}": P95[w] for w in cs.WEIGHTS},
                          **{f"P04_{w}": P04[w] for w in cs.WEIGHTS}, "n95": n95, "n04": n04}).to_csv(
                os.environ["CLUSTER_FINANCE_GENERATE_DEBUG"], index=False)

    return {
        "scale": scale, "seed": seed, "n_firms": counts,
        "n_counties": {y: int(len(geo.unit_codes[y])) for y in (1995, 2004)},
        "n_harmonised_counties": int(space.n_counties),
        "n_panel_firms": int(len(p04)),
        "n_panel_firms_new_id": int(new_id.sum()),
        "small_firm_steering": {"b_lag": float(small_b[0]), "b_proximity": float(small_b[1]),
                                "rounds": int(small_rounds), "lag_coef": float(small_got[0]),
                                "proximity_coef": float(small_got[1])},
        "n_industry_codes": {"1994": int(ind.concordance.code_1994.nunique()), "2002": int(ind.concordance.code_2002.nunique())},
        "county_proximity_output_mean": {1995: float(np.nanmean(P95["output"])), 2004: float(np.nanmean(P04["output"]))},
        "county_proximity_output_sd": {1995: float(np.nanstd(P95["output"], ddof=1)), 2004: float(np.nanstd(P04["output"], ddof=1))},
        # rounds of export/sales steering and its largest remaining gap in tolerances (< 1: all met)
        "export_sales_steering": {"rounds": int(es_rounds), "gap": round(es_gap, 3)},
        "paths": written,
        "seconds": round(time.time() - t_start, 2),
        "step_seconds": st.seconds,
    }


def _firm_name_cores(rng, y95, y04, p95, p04):
    """Distinct name cores (syllable strings) for distinct firms within each (harmonised county,
    division) over both censuses; a panel firm keeps its 1995 core.  Returns the table of cores and each
    firm's position in it (1995, 2004).  Names are county name + core +
    division word + legal form, so after the warehouse's normalisation (which strips the legal form)
    two different firms of one harmonised county and industry never share a name."""
    N95, N04 = len(y95.county), len(y04.county)
    ent04 = np.full(N04, -1, np.int64)
    ent04[p04] = p95
    fresh = ent04 < 0
    ent04[fresh] = N95 + np.arange(fresh.sum())
    n_ent = N95 + int(fresh.sum())
    grp = np.empty(n_ent, np.int64)
    grp[:N95] = y95.county.astype(np.int64) * 100 + y95.division
    grp[N95:] = (y04.county.astype(np.int64) * 100 + y04.division)[fresh]
    order = np.lexsort((rng.random(n_ent), grp))
    gs = grp[order]
    start = np.r_[0, np.flatnonzero(np.diff(gs)) + 1]
    cnt = np.diff(np.r_[start, n_ent])
    rank = np.empty(n_ent, np.int64)
    rank[order] = np.arange(n_ent) - np.repeat(start, cnt)
    k = len(_SYL)
    lengths = [2, 3]                            # two- and three-syllable cores (14,400)
    while sum(k ** n for n in lengths) <= cnt.max():
        lengths.append(lengths[-1] + 1)         # longer cores if a group is ever this large
    space = sum(k ** n for n in lengths)
    # position = (offset of the group + rank * stride) mod space: distinct within a group
    stride = next(p for p in (7919, 7927, 7933, 7937, 7949) if np.gcd(p, space) == 1)
    offset = rng.integers(0, space, grp.max() + 1)
    pos = (offset[grp] + rank * stride) % space
    syl = np.array(_SYL, dtype=object)
    table = []
    for length in lengths:                     # position base + q spells q in base k, lowest digit first
        q = np.arange(k ** length)
        word = syl[q % k]
        for j in range(1, length):
            word = word + syl[(q // k ** j) % k]
        table.append(word)
    cores = np.concatenate(table).astype(str)
    return cores, pos[:N95], pos[ent04]


def _pick_code(rng, table: pd.DataFrame, unit_col: str, code_col: str, units: np.ndarray):
    """Draw each firm's code among its unit's codes using the unit's weights (vectorised).  Returns
    the codes and each firm's position in them."""
    t = table.sort_values([unit_col, code_col]).reset_index(drop=True)
    u = t[unit_col].to_numpy()
    start = np.searchsorted(u, np.arange(u.max() + 1))
    cumw = t.groupby(unit_col)["weight"].cumsum().to_numpy()
    r = rng.random(len(units))
    # position = start[unit] + number of codes of the unit whose cumulative weight is below r
    n_codes = np.bincount(u, minlength=u.max() + 1)
    pos = start[units].copy()
    for k in range(1, int(n_codes.max())):
        idx = start[units] + k - 1
        ok = (k < n_codes[units]) & (r > cumw[np.minimum(idx, len(cumw) - 1)])
        pos = np.where(ok, start[units] + k, pos)
    return t[code_col].to_numpy().astype(str), pos
