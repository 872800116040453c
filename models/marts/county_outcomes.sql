-- Minimum capital and firm counts per harmonised county-year (SPEC section 3): the county slice of
-- region_outcomes, where the outcomes are computed once for every region level.
select
    region_code as county_code,
    year,
    min_asset,
    p5_asset,
    p10_asset,
    n_firms,
    n_small_firms,
    n_industries,
    n_small_firm_industries
from {{ ref('region_outcomes') }}
where region_level = 'county'
