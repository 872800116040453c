"""The method settings the report depends on, and where they come from.

The warehouse's own choices (single_industry_proximity, percentile_method, firm_age_range,
concentration_industries, ellison_glaeser_size) are read from its ``build_settings`` mart, so the notes
say what the numbers were built with even when dbt ran with --vars; the analysis's readings of the paper
(table8_firm_number, table9_firm_scale) and min_cell_firms from dbt_project.yml. Frames built by hand
(tests) get dbt_project.yml's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Literal

import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]

FirmNumber = Literal["count", "per_industry"]
FirmScale = Literal["log_sales", "relative_sales"]


@dataclass(frozen=True)
class Settings:
    single_industry_proximity: Literal["zero", "null"] = "zero"
    percentile_method: Literal["linear", "stata"] = "linear"
    firm_age_range: tuple[int, int] = (0, 99)
    concentration_industries: Literal["manufacturing", "all"] = "manufacturing"
    manufacturing_divisions: tuple[str, str] = ("13", "43")
    ellison_glaeser_size: Literal["employment", "output"] = "employment"
    small_firm_output: float = 5000.0
    table8_firm_number: FirmNumber = "count"
    table9_firm_scale: FirmScale = "log_sales"
    min_cell_firms: int = 3

    def __post_init__(self) -> None:
        allowed = {"single_industry_proximity": ("zero", "null"), "percentile_method": ("linear", "stata"),
                   "concentration_industries": ("manufacturing", "all"),
                   "ellison_glaeser_size": ("employment", "output"),
                   "table8_firm_number": ("count", "per_industry"),
                   "table9_firm_scale": ("log_sales", "relative_sales")}
        for name, values in allowed.items():
            if getattr(self, name) not in values:
                raise ValueError(f"{name} must be one of {values}, not {getattr(self, name)!r}")


def _coerce(name: str, value):
    if name in ("firm_age_range",):
        parts = value.split(",") if isinstance(value, str) else list(value)
        return tuple(int(float(v)) for v in parts)
    if name == "manufacturing_divisions":
        parts = value.split(",") if isinstance(value, str) else list(value)
        return tuple(str(v).strip() for v in parts)
    if name == "min_cell_firms":
        return int(value)
    if name == "small_firm_output":
        return float(value)
    return str(value).strip().lower()


def with_values(base: Settings, values: dict) -> Settings:
    """``base`` with the known names of ``values`` (text or YAML values) replacing its fields."""
    names = {f.name for f in fields(Settings)}
    update = {k: _coerce(k, v) for k, v in values.items() if k in names and v is not None}
    return replace(base, **update)


def project_settings(root: Path = REPO_ROOT) -> Settings:
    """dbt_project.yml's vars (the defaults a fresh build uses); Settings' defaults if it is unreadable."""
    try:
        project = yaml.safe_load((root / "dbt_project.yml").read_text())
        return with_values(Settings(), dict(project["vars"]))
    except (OSError, KeyError, TypeError, ValueError):
        return Settings()


def single_industry_note(settings: Settings) -> str:
    if settings.single_industry_proximity == "zero":
        return ("a county with a single industry in the product space has proximity 0 (var "
                "single_industry_proximity = zero, as the paper's Table 5 minimum of 0.000 shows its samples "
                "did); a county with none has no proximity, so it is missing from the regressions (the "
                "paper's Ns: fewer counties have proximity than minimum assets).")
    return ("counties with fewer than two industries in the product space have no proximity and drop out "
            "(var single_industry_proximity = null; the paper's samples gave single-industry counties 0).")
