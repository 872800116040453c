-- Year x region x industry sums (SPEC section 4), for every region level (county, prefecture, province)
-- and industry digits (4, 3, 2), over harmonised counties and industries. The finest cell (county x
-- 4-digit) is summed from the firms once; the coarser ones add up those sums, which is exact for sums
-- and counts and saves eight passes over the firms.
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

rolled_up as (
    {%- set levels = {'county': 6, 'prefecture': 4, 'province': 2} %}
    {%- for level, level_digits in levels.items() %}
    {%- for digits in [4, 3, 2] %}
    select
        year,
        '{{ level }}' as region_level,
        substr(harmonised_county_code, 1, {{ level_digits }}) as region_code,
        {{ digits }} as industry_digits,
        substr(harmonised_industry_code, 1, {{ digits }}) as industry_code,
        sum(output) as output,
        sum(employment) as employment,
        sum(total_assets) as total_assets,
        sum(n_firms) as n_firms
    from county_cells
    group by year, substr(harmonised_county_code, 1, {{ level_digits }}),
        substr(harmonised_industry_code, 1, {{ digits }})
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
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
