"""Relatedness and complexity in dense numpy, written from Stata `ecomplexity`'s formulas, not from the SQL.

The reference for tests/test_complexity.py and the edge cases: ecomplexity.ado, ecipci.ado, proxdiscrete.ado,
calculate_density.ado and coicog.ado of cid-harvard/ecomplexity, restated as matrix algebra:

    RCA = (x_cp / x_c) / (x_p / x),  M = RCA > threshold,  diversity = M 1,  ubiquity = 1'M
    kp  = second eigenvector of Mpp = (M / ubiquity)' (M / diversity)   (numpy.linalg.eig)
    kc  = (M / diversity) kp,  both times -1 if corr(diversity, kc) < 0
    phi = min(C / ubiquity_p, C / ubiquity_q) - I,  C = M'M        (or a given proximity, diagonal 0)
    density = M phi / (1'phi),  COI = sum_q density (1 - M) kp,
    COG = (1 - M) * ((1 - M) (phi * kp / (phi 1)))
    ECI = (kc - mean) / sd, PCI = (kp - mean kc) / sd kc, COG / sd kc, COI standardised on its own,
    mean and sd over the long table (each location once per activity), sd with N - 1.

Where Stata has no answer (its eigensystem meets missing values) this follows the warehouse's documented
choices: locations with diversity 0 and activities with ubiquity 0 leave the eigenproblem and get NaN; a
sign tie (|corr| < 1e-9 or undefined) gives the first location, in label order, with a non-zero kc a
positive one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Complexity:
    locations: list
    activities: list
    values: np.ndarray
    rca: np.ndarray
    presence: np.ndarray
    diversity: np.ndarray
    ubiquity: np.ndarray
    density: np.ndarray
    eci: np.ndarray
    pci: np.ndarray
    coi: np.ndarray
    cog: np.ndarray
    eigenvalues: np.ndarray  # of Mpp, descending

    def long(self, location: str = "location", activity: str = "activity") -> pd.DataFrame:
        n_loc, n_act = self.values.shape
        return pd.DataFrame({
            location: np.repeat(self.locations, n_act),
            activity: np.tile(self.activities, n_loc),
            "value": self.values.ravel(),
            "rca": self.rca.ravel(),
            "is_present": self.presence.ravel().astype(bool),
            "diversity": np.repeat(self.diversity, n_act),
            "ubiquity": np.tile(self.ubiquity, n_loc),
            "density": self.density.ravel(),
            "eci": np.repeat(self.eci, n_act),
            "pci": np.tile(self.pci, n_loc),
            "coi": np.repeat(self.coi, n_act),
            "cog": self.cog.ravel(),
        })


def stata_standardise(location_values: np.ndarray, n_activities: int) -> tuple[float, float]:
    """Mean and sd of a location-level variable over the long table (each location n_activities times)."""
    valid = location_values[~np.isnan(location_values)]
    long = np.repeat(valid, n_activities)
    return float(long.mean()), float(long.std(ddof=1))


def complexity(values: pd.DataFrame, threshold: float = 1.0, proximity: pd.DataFrame | None = None,
               presence: np.ndarray | None = None) -> Complexity:
    """values: a location x activity frame of non-negative values (rows and columns of total 0 are dropped).

    proximity: an activity x activity frame (given proximity, e.g. the industry proximity); activities
    absent from it have no proximity. None: the co-occurrence proximity of M, as ecomplexity computes it.
    presence: a 0/1 matrix to use instead of RCA > threshold (for hand-made cases).
    """
    values = values.loc[values.sum(axis=1) > 0, values.sum(axis=0) > 0]
    locations, activities = list(values.index), list(values.columns)
    x = values.to_numpy(dtype=float)
    rca = (x / x.sum(axis=1, keepdims=True)) / (x.sum(axis=0, keepdims=True) / x.sum())
    m = (rca > threshold).astype(float) if presence is None else np.asarray(presence, dtype=float)
    diversity, ubiquity = m.sum(axis=1), m.sum(axis=0)
    n_loc, n_act = m.shape

    # ECI / PCI on the locations and activities with something present
    rows, cols = diversity > 0, ubiquity > 0
    mv = m[np.ix_(rows, cols)]
    kc = np.full(n_loc, np.nan)
    kp = np.full(n_act, np.nan)
    eigenvalues = np.array([])
    if mv.size and min(mv.shape) >= 2:
        m1 = mv / mv.sum(axis=1, keepdims=True)
        m2 = mv / mv.sum(axis=0, keepdims=True)
        mpp = m2.T @ m1
        eigenvalues, vectors = np.linalg.eig(mpp)
        order = np.argsort(-eigenvalues.real)
        eigenvalues = eigenvalues.real[order]
        if eigenvalues.size >= 2 and eigenvalues[1] > 1e-10:
            kp_valid = vectors[:, order[1]].real
            kc_valid = m1 @ kp_valid
            d = mv.sum(axis=1)
            dd, kk = d - d.mean(), kc_valid - kc_valid.mean()
            co, scale = (dd * kk).sum(), np.sqrt((dd * dd).sum() * (kk * kk).sum())
            if co > 1e-9 * scale:
                sign = 1.0
            elif co < -1e-9 * scale:
                sign = -1.0
            else:  # tie: the first location in label order with a non-zero kc is made positive
                labels = np.array(locations, dtype=object)[rows]
                nonzero = np.abs(kc_valid) > 1e-9 * np.abs(kc_valid).max()
                first = min(np.flatnonzero(nonzero), key=lambda i: labels[i])
                sign = 1.0 if kc_valid[first] > 0 else -1.0
            kc[rows], kp[cols] = sign * kc_valid, sign * kp_valid

    # proximity, diagonal 0
    if proximity is None:
        co_occurrence = m.T @ m
        with np.errstate(divide="ignore", invalid="ignore"):
            phi = np.minimum(co_occurrence / ubiquity[None, :], co_occurrence / ubiquity[:, None])
        phi = np.nan_to_num(phi, nan=0.0, posinf=0.0)
    else:
        phi = proximity.reindex(index=activities, columns=activities).to_numpy(dtype=float)
        phi = np.nan_to_num(phi, nan=0.0)
    np.fill_diagonal(phi, 0.0)
    column_sums, row_sums = phi.sum(axis=0), phi.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = (m @ phi) / np.where(column_sums > 0, column_sums, np.nan)[None, :]
        weights = phi * np.nan_to_num(kp / np.where(row_sums > 0, row_sums, np.nan))[:, None]
    has_proximity = column_sums > 0
    cog = (1 - m) * ((1 - m) @ weights)
    cog[:, ~has_proximity] = np.nan
    coi = np.nansum(density * (1 - m) * kp[None, :], axis=1) if not np.isnan(kp).all() else np.full(n_loc, np.nan)

    mean, sd = stata_standardise(kc, n_act) if not np.isnan(kc).all() else (np.nan, np.nan)
    coi_mean, coi_sd = stata_standardise(coi, n_act) if not np.isnan(coi).all() else (np.nan, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):  # sd 0 (one location): NaN, as the SQL's NULL
        return Complexity(
            locations=locations, activities=activities, values=x, rca=rca, presence=m, diversity=diversity,
            ubiquity=ubiquity, density=density, eci=(kc - mean) / sd, pci=(kp - mean) / sd,
            coi=(coi - coi_mean) / coi_sd, cog=cog / sd, eigenvalues=eigenvalues)


def complexity_long(frame: pd.DataFrame, location: str, activity: str, value: str, by: list[str],
                    threshold: float = 1.0, proximity=None) -> pd.DataFrame:
    """complexity() for every group of a long frame; proximity: None or a function of the group key
    returning the activity x activity frame."""
    out = []
    for key, group in frame.groupby(by, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        wide = group.pivot_table(index=location, columns=activity, values=value, aggfunc="sum", fill_value=0.0)
        result = complexity(wide, threshold, None if proximity is None else proximity(*key))
        long = result.long(location, activity)
        for name, part in zip(by, key):
            long[name] = part
        out.append(long)
    return pd.concat(out, ignore_index=True)
