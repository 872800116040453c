-- Location quotients and presence of every region x industry cell with a positive size, per census year,
-- region level and industry digits (SPEC section 11): a region's RCA in an industry,
--   LQ(r,i) = (s(r,i) / s(r)) / (s(i) / s),
-- with the industry's and the economy's totals taken over the whole nation (every region of the level),
-- never over the region's province. Size s: var complexity_weight, 'output' (default) or 'employment'.
-- Presence M = LQ > var rca_threshold, the threshold of the product space. Cells are over harmonised counties
-- and industries, so 1995 and 2004 compare.
{%- set weight = var('complexity_weight', 'output') %}
{%- if weight not in ['output', 'employment'] %}
{{ exceptions.raise_compiler_error("var complexity_weight must be 'output' or 'employment', not '" ~ weight ~ "'") }}
{%- endif %}
with cells as (
    select
        year,
        region_level,
        region_code,
        industry_digits,
        industry_code,
        cast({{ weight }} as double) as size
    from {{ ref('cells') }}
    where {{ weight }} > 0
),

region_totals as (
    select year, region_level, industry_digits, region_code, sum(size) as region_size
    from cells
    group by year, region_level, industry_digits, region_code
),

industry_totals as (
    select year, region_level, industry_digits, industry_code, sum(size) as industry_size
    from cells
    group by year, region_level, industry_digits, industry_code
),

national_totals as (
    select year, region_level, industry_digits, sum(size) as national_size
    from cells
    group by year, region_level, industry_digits
),

quotients as (
    select
        cells.year,
        cells.region_level,
        cells.region_code,
        cells.industry_digits,
        cells.industry_code,
        cells.size,
        (cells.size / region_totals.region_size)
            / (industry_totals.industry_size / national_totals.national_size) as location_quotient
    from cells
    inner join region_totals
        on region_totals.year = cells.year and region_totals.region_level = cells.region_level
        and region_totals.industry_digits = cells.industry_digits and region_totals.region_code = cells.region_code
    inner join industry_totals
        on industry_totals.year = cells.year and industry_totals.region_level = cells.region_level
        and industry_totals.industry_digits = cells.industry_digits and industry_totals.industry_code = cells.industry_code
    inner join national_totals
        on national_totals.year = cells.year and national_totals.region_level = cells.region_level
        and national_totals.industry_digits = cells.industry_digits
)

select
    year,
    region_level,
    region_code,
    industry_digits,
    industry_code,
    '{{ weight }}' as weight,
    size,
    location_quotient,
    location_quotient > {{ var('rca_threshold') }} as is_present
from quotients
