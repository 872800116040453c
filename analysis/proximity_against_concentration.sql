-- Does the Hausmann-Klinger proximity measure something the conventional concentration indices do not?
-- Per census year, over counties (4-digit industries, output weight), the correlation of county
-- proximity with the HHI of industry shares, the Krugman specialisation index and the Gini of location
-- quotients (SPEC section 3, the paper's footnote 4), and the number of counties behind each.
-- Vars: none.
with paired as (
    select
        county_proximity.year,
        county_proximity.proximity_output as proximity,
        concentration.hhi,
        concentration.krugman,
        concentration.gini
    from {{ ref('county_proximity') }} as county_proximity
    inner join {{ ref('region_concentration') }} as concentration
        on concentration.region_level = 'county'
       and concentration.industry_digits = 4
       and concentration.region_code = county_proximity.county_code
       and concentration.year = county_proximity.year
    where county_proximity.proximity_output is not null
)

select
    year,
    count(*) as n_counties,
    corr(proximity, hhi) as corr_proximity_hhi,
    corr(proximity, krugman) as corr_proximity_krugman,
    corr(proximity, gini) as corr_proximity_gini
from paired
group by year
order by year
