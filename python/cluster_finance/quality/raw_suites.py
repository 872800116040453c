"""Suites for the raw input tables of the contract (SPEC section 2), and for the census rows accepted.

The census is validated per census year, as delivered (every row of the file, typed by stg_census_firms).
A row that breaks a row rule is not lost: it is in rejected_firms with its reason. So the delivered-census
suite tolerates a small share of such rows (`ROW_RULE_MOSTLY`) and fails when more break a rule, which
points to a misdelivered file (shifted columns, wrong units) rather than to a few bad records. The
accepted-firms suite then holds every rule strictly on the rows the warehouse kept: an independent check
that the SQL validation let nothing bad through.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from cluster_finance.quality.specs import SuiteSpec

# At most 1% of a census file's rows may break a row rule (they are rejected, with a reason).
ROW_RULE_MOSTLY = 0.99
# Plausible firm counts per census file. The 1995 and 2004 censuses hold 0.5 and 1.4 million firms; the
# annual survey and other countries' registers stay under 20 million. The floor is 1 so that hand-sized
# test censuses pass; a file with no data row already stops the build.
FIRMS_PER_FILE = (1, 20_000_000)
# Founding years before this are typos (the oldest Chinese industrial firms date from the 1860s).
EARLIEST_FOUNDING = 1800

SHARES = ("state_share", "collective_share", "private_share", "hmt_share", "foreign_share")
AMOUNTS = ("output", "sales", "export_value", "value_added_income", "total_assets", "fixed_assets",
           "total_debt", "accounts_receivable", "accounts_payable")
NUMERIC_TYPES = ["float64", "Float64", "int64", "Int64", "int32", "Int32", "double", "float"]
COUNTY = r"^[0-9]{6}$"
CIC = r"^[0-9]{4}$"

_SHARE_SUM = " + ".join(f"coalesce({c}, 0)" for c in SHARES)


def _census_year_query(year: int) -> str:
    return f"""
        select *, {_SHARE_SUM} as share_sum
        from stg_census_firms
        where census_year = {int(year)}
    """


def delivered_census_expectations(columns: list[str]) -> list:
    m = ROW_RULE_MOSTLY
    out = [
        gxe.ExpectTableRowCountToBeBetween(min_value=FIRMS_PER_FILE[0], max_value=FIRMS_PER_FILE[1]),
        # provenance: every row is numbered once, so it can be traced back to the file
        gxe.ExpectColumnValuesToNotBeNull(column="source_row"),
        gxe.ExpectColumnValuesToBeUnique(column="source_row"),
        gxe.ExpectColumnDistinctValuesToBeInSet(column="industry_vintage", value_set=["1994", "2002"]),
        # types: every present number parsed as a finite number (else the row is rejected)
        gxe.ExpectColumnValuesToBeInSet(column="unparsed_columns", value_set=[""], mostly=m),
        gxe.ExpectColumnValuesToBeInTypeList(column="output", type_list=NUMERIC_TYPES),
        gxe.ExpectColumnValuesToBeInTypeList(column="employment", type_list=NUMERIC_TYPES),
        gxe.ExpectColumnValuesToBeInTypeList(column="total_assets", type_list=NUMERIC_TYPES),
        # nullability of the required columns
        *[gxe.ExpectColumnValuesToNotBeNull(column=c, mostly=m)
          for c in ("firm_id", "county_code", "industry_code", "output", "employment", "total_assets")],
        # keys and code shapes
        gxe.ExpectColumnValuesToBeUnique(column="firm_id", mostly=m),
        gxe.ExpectColumnValuesToMatchRegex(column="county_code", regex=COUNTY, mostly=m),
        gxe.ExpectColumnValuesToMatchRegex(column="industry_code", regex=CIC, mostly=m),
        # ranges
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, mostly=m) for c in AMOUNTS],
        gxe.ExpectColumnValuesToBeBetween(column="employment", min_value=0, mostly=m),
        gxe.ExpectColumnValuesToBeBetween(column="founding_year", min_value=EARLIEST_FOUNDING, mostly=m),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="census_year", column_B="founding_year", or_equal=True, ignore_row_if="either_value_is_missing",
            mostly=m),
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1, mostly=m) for c in SHARES],
        gxe.ExpectColumnValuesToBeBetween(column="share_sum", min_value=0, max_value=1.01, mostly=m),
    ]
    return out


def accepted_firms_expectations(columns: list[str]) -> list:
    """Every rule, strictly, on the rows the warehouse kept."""
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["census_year", "firm_id"]),
        *[gxe.ExpectColumnValuesToNotBeNull(column=c)
          for c in ("source_file", "source_row", "census_year", "firm_id", "county_code", "industry_code",
                    "output", "employment", "total_assets")],
        gxe.ExpectColumnValuesToMatchRegex(column="county_code", regex=COUNTY),
        gxe.ExpectColumnValuesToMatchRegex(column="industry_code", regex=CIC),
        gxe.ExpectColumnValuesToBeBetween(column="output", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="total_assets", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="employment", min_value=0),
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1) for c in SHARES],
        gxe.ExpectColumnValuesToBeBetween(column="share_sum", min_value=0, max_value=1.01),
    ]


def _code_expectations(*columns_and_patterns, key=None, not_null=()):
    def build(columns: list[str]) -> list:
        out = [gxe.ExpectTableRowCountToBeBetween(min_value=1)]
        for column, pattern in columns_and_patterns:
            out.append(gxe.ExpectColumnValuesToNotBeNull(column=column))
            out.append(gxe.ExpectColumnValuesToMatchRegex(column=column, regex=pattern))
        out += [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in not_null]
        if key:
            out.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(key)))
        return out
    return build


def _world_trade(columns: list[str]) -> list:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToNotBeNull(column="country"),
        gxe.ExpectColumnValuesToNotBeNull(column="product"),
        gxe.ExpectColumnValuesToMatchRegex(column="product", regex=CIC),
        gxe.ExpectColumnValuesToNotBeNull(column="export_value"),
        gxe.ExpectColumnValuesToBeBetween(column="export_value", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=1950, max_value=2100),
        # a NULL year means one averaged period; the key is then (country, product)
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["year_or_average", "country", "product"]),
    ]


def _industry_isic(columns: list[str]) -> list:
    return _code_expectations(("industry_code", CIC), ("isic_code", CIC),
                              key=("vintage", "industry_code", "isic_code"))(columns) + [
        gxe.ExpectColumnValuesToBeInSet(column="vintage", value_set=["1994", "2002"]),
    ]


def _county_crosswalk(columns: list[str]) -> list:
    return _code_expectations(("code_from", COUNTY), ("code_to", COUNTY),
                              not_null=("year_from", "year_to"))(columns) + [
        gxe.ExpectColumnValuesToBeBetween(column="year_from", min_value=1949, max_value=2100),
        gxe.ExpectColumnValuesToBeBetween(column="year_to", min_value=1949, max_value=2100),
    ]


def _yearbook(columns: list[str]) -> list:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToNotBeNull(column="year"),
        gxe.ExpectColumnValuesToBeUnique(column="year"),
        gxe.ExpectColumnValuesToBeBetween(column="gross_output_trillion_rmb", min_value=0, strict_min=True),
    ]


def raw_suites(census_years: list[int]) -> list[SuiteSpec]:
    suites = [
        SuiteSpec(f"raw_census_firms_{year}", ("stg_census_firms",), _census_year_query(year),
                  delivered_census_expectations)
        for year in census_years
    ]
    suites.append(SuiteSpec(
        "accepted_firms", ("int_firms_accepted",),
        f"select *, {_SHARE_SUM} as share_sum from int_firms_accepted", accepted_firms_expectations,
        kind="accepted"))
    suites += [
        SuiteSpec("raw_world_trade", ("stg_world_trade",),
                  "select *, coalesce(year, -1) as year_or_average from stg_world_trade", _world_trade),
        SuiteSpec("raw_isic_sitc", ("stg_isic_sitc",), "select * from stg_isic_sitc",
                  _code_expectations(("isic_code", CIC), ("sitc_code", CIC), key=("isic_code", "sitc_code"))),
        SuiteSpec("raw_industry_concordance", ("stg_industry_concordance",),
                  "select * from stg_industry_concordance",
                  _code_expectations(("code_1994", CIC), ("code_2002", CIC), key=("code_1994", "code_2002")),
                  skip_when_empty=True),
        SuiteSpec("raw_industry_isic", ("stg_industry_isic",), "select * from stg_industry_isic",
                  _industry_isic, skip_when_empty=True),
        SuiteSpec("raw_county_crosswalk", ("stg_county_crosswalk",), "select * from stg_county_crosswalk",
                  _county_crosswalk, skip_when_empty=True),
        SuiteSpec("raw_regions", ("stg_regions",), "select * from stg_regions",
                  _code_expectations(("county_code", COUNTY), not_null=("year",), key=("county_code", "year")),
                  skip_when_empty=True),
        SuiteSpec("raw_yearbook_totals", ("stg_yearbook_totals",), "select * from stg_yearbook_totals",
                  _yearbook, skip_when_empty=True),
    ]
    return suites
