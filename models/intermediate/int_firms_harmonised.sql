-- Accepted firms with the county and industry units that are comparable across census years (SPEC
-- section 3): every mart that compares 1995 with 2004 reads its regions and industries from here.
-- A harmonised county's prefecture and province are those of its label, the first 4 and 2 digits of
-- its latest-year code (GB/T 2260): a 1995 county of a prefecture (地区) that later became a
-- prefecture-level city under a new code is counted in the new prefecture, as its successor is.
with firms as (
    select * from {{ ref('int_firms_accepted') }}
),

counties as (
    select year, county_code, harmonised_county_code from {{ ref('int_county_harmonised') }}
),

industries as (
    select vintage, industry_code, harmonised_code
    from {{ ref('int_industry_harmonised') }}
    where industry_digits = 4
)

select
    firms.*,
    counties.harmonised_county_code,
    industries.harmonised_code as harmonised_industry_code,
    substr(counties.harmonised_county_code, 1, 4) as prefecture_code,
    substr(counties.harmonised_county_code, 1, 2) as province_code
from firms
-- left joins so that a missing mapping shows up as a failed not_null test, not as vanished firms
left join counties
    on counties.year = firms.census_year and counties.county_code = firms.county_code
left join industries
    on industries.vintage = firms.industry_vintage and industries.industry_code = firms.industry_code
