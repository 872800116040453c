-- What does the warehouse know about one county? Year by year: its names and member codes (a county
-- that merged or split is one harmonised unit), its proximity under the three size weights, the number
-- of industries behind it, its concentration indices, its minimum capital and its firm counts.
-- Vars: county_code (a harmonised county code; default 110101).
with county_years as (
    select county_code, year, proximity_output, proximity_employment, proximity_asset,
        n_industries_output, excluded_share_output
    from {{ ref('county_proximity') }}
    where county_code = '{{ var("county_code", "110101") }}'
),

concentration as (
    select region_code as county_code, year, hhi, krugman, gini
    from {{ ref('region_concentration') }}
    where region_level = 'county' and industry_digits = 4
      and region_code = '{{ var("county_code", "110101") }}'
)

select
    counties.county_code,
    counties.county_name,
    counties.prefecture_name,
    counties.province_name,
    counties.member_codes,
    county_years.year,
    county_years.proximity_output,
    county_years.proximity_employment,
    county_years.proximity_asset,
    county_years.n_industries_output,
    county_years.excluded_share_output,
    concentration.hhi,
    concentration.krugman,
    concentration.gini,
    county_outcomes.min_asset,
    county_outcomes.p5_asset,
    county_outcomes.p10_asset,
    county_outcomes.n_firms,
    county_outcomes.n_small_firms
from {{ ref('counties') }} as counties
inner join county_years on county_years.county_code = counties.county_code
left join concentration
    on concentration.county_code = county_years.county_code and concentration.year = county_years.year
left join {{ ref('county_outcomes') }} as county_outcomes
    on county_outcomes.county_code = county_years.county_code and county_outcomes.year = county_years.year
order by county_years.year
