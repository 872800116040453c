-- Minimum capital and firm counts per region-year at every region level (SPEC section 3; the paper's
-- county regressions, Tables 6 and 8, and their robustness runs at prefecture and province level): the
-- minimum, 5th and 10th percentile of total assets in million RMB (inputs are thousand RMB) over the
-- region's firms with total_assets >= 0, all of its firms pooled (a prefecture's minimum is the smallest
-- firm of the prefecture, not an average of its counties' minima); the number of firms and of small firms
-- (output below var small_firm_output); and the number of 4-digit industries they are in (for the "firms
-- per industry" reading of Table 8). Percentiles by var percentile_method: numpy's linear interpolation
-- (default) or Stata's definition. county_outcomes is the county slice.
{%- set method = var('percentile_method') | string | lower %}
{%- if method not in ['linear', 'stata'] %}
{{ exceptions.raise_compiler_error("var percentile_method must be 'linear' or 'stata', not '" ~ method ~ "'") }}
{%- endif %}
{%- set levels = {'county': 'harmonised_county_code', 'prefecture': 'prefecture_code', 'province': 'province_code'} %}

with firms as (

    select
        harmonised_county_code,
        prefecture_code,
        province_code,
        census_year as year,
        harmonised_industry_code,
        output,
        -- the validation already rejects negative assets; the filter keeps the definition self-contained
        case when total_assets >= 0 then total_assets / 1000.0 end as total_assets_million
    from {{ ref('int_firms_harmonised') }}

),

firms_by_level as (

    {%- for level, column in levels.items() %}
    select
        '{{ level }}' as region_level,
        {{ column }} as region_code,
        year,
        harmonised_industry_code,
        output,
        total_assets_million
    from firms
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

{%- if method == 'stata' %}

-- Stata's percentiles pick order statistics: each value's rank within its region-year, and their count
ranked as (

    select
        *,
        row_number() over (
            partition by region_level, region_code, year
            order by total_assets_million asc nulls last
        ) as asset_rank,
        count(total_assets_million) over (partition by region_level, region_code, year) as n_assets
    from firms_by_level

),
{%- endif %}

aggregated as (

    select
        region_level,
        region_code,
        year,
        min(total_assets_million) as min_asset,
        {%- if method == 'stata' %}
        {{ percentile_stata('total_assets_million', 'asset_rank', 'n_assets', 5) }} as p5_asset,
        {{ percentile_stata('total_assets_million', 'asset_rank', 'n_assets', 10) }} as p10_asset,
        {%- else %}
        {{ percentile_cont('total_assets_million', 0.05) }} as p5_asset,
        {{ percentile_cont('total_assets_million', 0.10) }} as p10_asset,
        {%- endif %}
        count(*) as n_firms,
        count(case when output < {{ var('small_firm_output') }} then 1 end) as n_small_firms,
        count(distinct harmonised_industry_code) as n_industries,
        count(distinct case when output < {{ var('small_firm_output') }} then harmonised_industry_code end)
            as n_small_firm_industries
    from {{ 'ranked' if method == 'stata' else 'firms_by_level' }}
    group by region_level, region_code, year

)

-- Interpolating between two equal neighbours can land one ulp below them; keep min <= p5 <= p10 exact.
select
    region_level,
    region_code,
    year,
    min_asset,
    greatest(p5_asset, min_asset) as p5_asset,
    greatest(p10_asset, p5_asset, min_asset) as p10_asset,
    n_firms,
    n_small_firms,
    n_industries,
    n_small_firm_industries
from aggregated
