-- Which harmonised counties are made of several county codes (counties that merged, split or were
-- renumbered between the censuses), with each member code's name in its own year? These are the units
-- whose 1995 and 2004 figures compare territories, not codes.
-- Vars: none.
with units as (
    select county_code, county_name, province_name, member_codes
    from {{ ref('counties') }}
    where n_codes > 1
)

select
    units.county_code as harmonised_county_code,
    units.county_name as harmonised_county_name,
    units.province_name,
    members.year,
    members.county_code as member_code,
    regions.county_name as member_name
from units
inner join {{ ref('int_county_harmonised') }} as members on members.harmonised_county_code = units.county_code
left join {{ ref('stg_regions') }} as regions
    on regions.county_code = members.county_code and regions.year = members.year
order by units.county_code, members.year, members.county_code
