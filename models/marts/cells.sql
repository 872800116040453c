-- Year x region x industry sums (SPEC section 4), for every region level (county, prefecture, province)
-- and industry digits (var industry_digits), over harmonised counties and industries. The finest cell
-- (county x 4-digit) is summed from the firms once; the coarser ones add up those sums, which is exact for
-- sums and counts and saves eight passes over the firms. A region's prefecture and province are the
-- first 4 and 2 digits of its harmonised county code (the label, a code of the latest year).
with county_cells as (
    select
        census_year as year,
        harmonised_county_code,
        harmonised_industry_code,
        sum(output) as output,
        sum(employment) as employment,
        sum(total_assets) as total_assets,
        count(*) as n_firms
    from {{ ref('int_firms_harmonised') }}
    group by census_year, harmonised_county_code, harmonised_industry_code
),

-- coarser industries are harmonised industries of their own (components of the concordance cut to 3 and
-- 2 digits), not prefixes of a 4-digit label: each 4-digit industry is mapped to its coarser ones
industry_levels as (
    select harmonised_industry_code, industry_digits, industry_code
    from {{ ref('int_industry_harmonised_rollup') }}
),

rolled_up as (
    {%- set levels = {'county': 6, 'prefecture': 4, 'province': 2} %}
    {%- for level, level_digits in levels.items() %}
    select
        county_cells.year,
        '{{ level }}' as region_level,
        substr(county_cells.harmonised_county_code, 1, {{ level_digits }}) as region_code,
        industry_levels.industry_digits,
        industry_levels.industry_code,
        sum(county_cells.output) as output,
        sum(county_cells.employment) as employment,
        sum(county_cells.total_assets) as total_assets,
        sum(county_cells.n_firms) as n_firms
    from county_cells
    inner join industry_levels
        on industry_levels.harmonised_industry_code = county_cells.harmonised_industry_code
    group by county_cells.year, substr(county_cells.harmonised_county_code, 1, {{ level_digits }}),
        industry_levels.industry_digits, industry_levels.industry_code
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    year,
    region_level,
    region_code,
    cast(industry_digits as integer) as industry_digits,
    industry_code,
    cast(output as double) as output,
    cast(employment as bigint) as employment,
    cast(total_assets as double) as total_assets,
    cast(n_firms as bigint) as n_firms
from rolled_up
