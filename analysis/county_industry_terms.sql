-- Which industries make a county clustered? Its P(r,i) terms: for each 4-digit industry of the county,
-- its size, its share of the county's mapped size, its proximity P(r,i) to the county's other industries,
-- and its contribution (share x P(r,i)), which add up to the county's P(r); largest contribution first.
-- Industries with no traded product (utilities) are listed with no P(r,i): they are left out of the index.
-- Vars: county_code (a harmonised county code; default 110101), year (default 2004), weight (default output).
with terms as (
    select industry_code, is_mapped, size, n_firms, size_share, proximity, contribution
    from {{ ref('region_industry_proximity') }}
    where region_level = 'county'
      and industry_digits = 4
      and region_code = '{{ var("county_code", "110101") }}'
      and year = {{ var("year", 2004) }}
      and weight = '{{ var("weight", "output") }}'
),

county_total as (
    select sum(contribution) as county_proximity from terms
)

select
    terms.industry_code,
    divisions.name_en as division_name,
    terms.is_mapped,
    terms.n_firms,
    terms.size,
    terms.size_share,
    terms.proximity as industry_proximity,
    terms.contribution,
    terms.contribution / nullif(county_total.county_proximity, 0) as share_of_county_proximity
from terms
cross join county_total
-- a harmonised industry with no 2002 code is labelled '1994:<code>' and has no 2002 division
left join {{ ref('cic_divisions') }} as divisions
    on divisions.division_code = substr(terms.industry_code, 1, 2) and terms.industry_code not like '1994:%'
order by terms.contribution desc nulls last, terms.size desc, terms.industry_code
