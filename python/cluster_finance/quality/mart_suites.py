"""Suites for the marts (SPEC section 4). To cover a new mart, append a SuiteSpec to `mart_suites()`.

A mart that this build has no table for is reported "not built", not a failure, so the checkpoint runs on
any subset of the pipeline. Symmetry of a proximity mart is checked by pulling each row beside its
mirror row (the same pair read the other way) when the mart stores both triangles.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from cluster_finance.quality.specs import SuiteSpec

REJECT_REASONS = [
    "unparseable_number", "missing_value", "bad_county_code", "bad_industry_code", "negative_value",
    "share_out_of_range", "shares_sum_above_one", "unknown_industry_code", "unknown_county_code",
    "duplicate_firm_id",
]
# Proximity is a probability; mirrored pairs agree to rounding, and sums of weighted proximities may
# overshoot 1 by rounding only.
SYMMETRY_TOLERANCE = 1e-9
PROXIMITY_MAX = 1 + 1e-9


def _key(*columns):
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns))


def _in_unit_interval(column, max_value=1):
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=max_value)


def _proximity_range(column):
    return _in_unit_interval(column, PROXIMITY_MAX)


def _mirrored(table: str, a: str, b: str, same: tuple[str, ...] = ()) -> str:
    """The mart with, per row, the proximity of the mirror pair and whether the mirror is missing.

    A mart storing one triangle only (every a < b, or a <= b) is symmetric by construction: then
    mirror_missing is false throughout.
    """
    on = " and ".join([f"m.{a} = t.{b}", f"m.{b} = t.{a}", *[f"m.{c} = t.{c}" for c in same]])
    return f"""
        with both_triangles as (select count(*) > 0 as yes from {table} where {a} > {b})
        select
            t.*,
            m.proximity as mirror_proximity,
            coalesce(abs(t.proximity - m.proximity), 0) as asymmetry,
            (m.proximity is null and (select yes from both_triangles)) as mirror_missing
        from {table} t
        left join {table} m on {on}
    """


def _proximity_pairs(*key):
    def build(columns: list[str]) -> list:
        return [
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            _key(*key),
            gxe.ExpectColumnValuesToNotBeNull(column="proximity"),
            _proximity_range("proximity"),
            gxe.ExpectColumnValuesToBeInSet(column="mirror_missing", value_set=[False]),
            gxe.ExpectColumnValuesToBeBetween(column="asymmetry", min_value=0, max_value=SYMMETRY_TOLERANCE),
        ]
    return build


def _rejected_firms(columns: list[str]) -> list:
    return [
        _key("source_file", "row_number"),
        *[gxe.ExpectColumnValuesToNotBeNull(column=c)
          for c in ("source_file", "row_number", "census_year", "reason", "detail")],
        gxe.ExpectColumnValuesToBeInSet(column="reason", value_set=REJECT_REASONS),
        gxe.ExpectColumnValuesToBeBetween(column="row_number", min_value=1),
    ]


# Reconciliation read three ways: the mart's own counts, the rows of int_firms_accepted and rejected_firms
# per file, and the data rows of each raw file counted again in Python (raw_file_rows).
_RECONCILIATION = """
    with accepted as (select source_file, count(*) as n from int_firms_accepted group by source_file),
    rejected as (select source_file, count(*) as n from rejected_firms group by source_file)
    select
        r.*,
        r.accepted_rows + r.rejected_rows as accounted_rows,
        coalesce(a.n, 0) as accepted_table_rows,
        coalesce(j.n, 0) as rejected_table_rows,
        f.file_rows
    from ingest_reconciliation r
    left join accepted a using (source_file)
    left join rejected j using (source_file)
    full outer join raw_file_rows f using (source_file)
"""


def _reconciliation(columns: list[str]) -> list:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToNotBeNull(column="source_file"),
        gxe.ExpectColumnValuesToBeUnique(column="source_file"),
        gxe.ExpectColumnValuesToNotBeNull(column="raw_rows"),   # a file the warehouse never read
        gxe.ExpectColumnValuesToNotBeNull(column="file_rows"),  # a row of the mart with no file
        gxe.ExpectColumnPairValuesToBeEqual(column_A="raw_rows", column_B="file_rows"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="raw_rows", column_B="accounted_rows"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="accepted_rows", column_B="accepted_table_rows"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="rejected_rows", column_B="rejected_table_rows"),
    ]


def _region_proximity(columns: list[str]) -> list:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        _key("year", "region_level", "region_code", "industry_digits", "weight"),
        _proximity_range("proximity"),  # NULL with no mapped industry (or one, single_industry_proximity: null)
        _in_unit_interval("excluded_share"),
        gxe.ExpectColumnValuesToNotBeNull(column="excluded_share"),
        gxe.ExpectColumnValuesToBeBetween(column="n_industries", min_value=0),
        gxe.ExpectColumnValuesToBeInSet(column="region_level", value_set=["county", "prefecture", "province"]),
        gxe.ExpectColumnValuesToBeInSet(column="industry_digits", value_set=[2, 3, 4]),
    ]


def _county_proximity(columns: list[str]) -> list:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        _key("county_code", "year"),
        *[_proximity_range(c) for c in ("proximity_output", "proximity_employment", "proximity_asset")],
        *[_in_unit_interval(c) for c in columns if c.startswith("excluded_share")],
    ]


def _county_outcomes(columns: list[str]) -> list:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        _key("county_code", "year"),
        gxe.ExpectColumnValuesToBeBetween(column="n_firms", min_value=1),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="n_firms", column_B="n_small_firms", or_equal=True),
        gxe.ExpectColumnValuesToBeBetween(column="min_asset", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="p5_asset", column_B="min_asset", or_equal=True),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="p10_asset", column_B="p5_asset", or_equal=True),
    ]


def _region_outcomes(columns: list[str]) -> list:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        _key("region_level", "region_code", "year"),
        gxe.ExpectColumnValuesToBeInSet(column="region_level", value_set=["county", "prefecture", "province"]),
        gxe.ExpectColumnValuesToBeBetween(column="n_firms", min_value=1),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="n_firms", column_B="n_small_firms", or_equal=True),
        gxe.ExpectColumnValuesToBeBetween(column="min_asset", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="p5_asset", column_B="min_asset", or_equal=True),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="p10_asset", column_B="p5_asset", or_equal=True),
    ]


def _firm_panel(columns: list[str]) -> list:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        _key("firm_id", "year"),
        *[_proximity_range(c) for c in ("proximity_output", "proximity_employment", "proximity_asset")],
    ]


# The cells mart's grain is named by the SPEC only as "year x region x industry": its key is whichever
# of these columns it has.
CELL_KEY_CANDIDATES = ("year", "region_level", "region_code", "county_code", "industry_digits", "industry_code")


def _cells(columns: list[str]) -> list:
    key = [c for c in CELL_KEY_CANDIDATES if c in columns]
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        *([_key(*key)] if key else [gxe.ExpectColumnToExist(column="year")]),
        gxe.ExpectColumnValuesToBeBetween(column="n_firms", min_value=1),
    ]


def _region_concentration(columns: list[str]) -> list:
    return [gxe.ExpectTableRowCountToBeBetween(min_value=1), _in_unit_interval("hhi"), _in_unit_interval("gini")]


def _industry_concentration(columns: list[str]) -> list:
    return [gxe.ExpectTableRowCountToBeBetween(min_value=1), _in_unit_interval("locational_gini")]


def mart_suites() -> list[SuiteSpec]:
    def mart(name, expectations, query=None, tables=None):
        return SuiteSpec(f"mart_{name}", tuple(tables or (name,)), query or f"select * from {name}",
                         expectations, kind="mart")

    return [
        mart("rejected_firms", _rejected_firms),
        mart("ingest_reconciliation", _reconciliation, _RECONCILIATION,
             ("ingest_reconciliation", "int_firms_accepted", "rejected_firms")),
        mart("product_proximity", _proximity_pairs("product_a", "product_b"),
             _mirrored("product_proximity", "product_a", "product_b")),
        # industry_proximity holds each CIC classification (1994, 2002, harmonised) side by side
        mart("industry_proximity", _proximity_pairs("classification", "industry_digits", "industry_a", "industry_b"),
             _mirrored("industry_proximity", "industry_a", "industry_b", ("classification", "industry_digits"))),
        mart("region_proximity", _region_proximity,
             "select * replace (cast(industry_digits as integer) as industry_digits) from region_proximity"),
        mart("county_proximity", _county_proximity),
        mart("county_outcomes", _county_outcomes),
        mart("region_outcomes", _region_outcomes),
        mart("cells", _cells),
        mart("firm_panel", _firm_panel),
        mart("region_concentration", _region_concentration),
        mart("industry_concentration", _industry_concentration),
    ]
