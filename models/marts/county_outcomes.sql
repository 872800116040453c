-- Minimum capital and firm counts per harmonised county-year (SPEC section 3): the minimum, 5th and 10th
-- percentile of total assets in million RMB (inputs are thousand RMB), with numpy's linear interpolation,
-- over firms with total_assets >= 0; all firms and the small ones (output below var small_firm_output).

with firms as (

    select
        harmonised_county_code as county_code,
        census_year as year,
        output,
        -- the validation already rejects negative assets; the filter keeps the definition self-contained
        case when total_assets >= 0 then total_assets / 1000.0 end as total_assets_million
    from {{ ref('int_firms_harmonised') }}

),

aggregated as (

    select
        county_code,
        year,
        min(total_assets_million) as min_asset,
        {{ percentile_cont('total_assets_million', 0.05) }} as p5_asset,
        {{ percentile_cont('total_assets_million', 0.10) }} as p10_asset,
        count(*) as n_firms,
        count(case when output < {{ var('small_firm_output') }} then 1 end) as n_small_firms
    from firms
    group by county_code, year

)

-- Interpolating between two equal neighbours can land one ulp below them; keep min <= p5 <= p10 exact.
select
    county_code,
    year,
    min_asset,
    greatest(p5_asset, min_asset) as p5_asset,
    greatest(p10_asset, p5_asset, min_asset) as p10_asset,
    n_firms,
    n_small_firms
from aggregated
