-- Which counties' proximity rests on few industries? Counties (county x 4-digit, one weight) with at most
-- max_industries mapped industries, or with at least min_excluded_share of their size in industries left
-- out of the index (no traded product), with the share of their largest industry: an index built on two
-- or three industries, or on a small part of the county, says less than its value suggests.
-- Vars: year (default 2004), weight (default output), max_industries (default 3),
--       min_excluded_share (default 0.5).
with county_index as (
    select region_code as county_code, proximity, n_industries, excluded_share, is_flagged
    from {{ ref('region_proximity') }}
    where region_level = 'county' and industry_digits = 4
      and weight = '{{ var("weight", "output") }}' and year = {{ var("year", 2004) }}
),

largest_industry as (
    select region_code as county_code, max(size_share) as largest_industry_share
    from {{ ref('region_industry_proximity') }}
    where region_level = 'county' and industry_digits = 4
      and weight = '{{ var("weight", "output") }}' and year = {{ var("year", 2004) }}
    group by region_code
)

select
    county_index.county_code,
    counties.county_name,
    counties.province_name,
    county_index.n_industries,
    county_index.excluded_share,
    largest_industry.largest_industry_share,
    county_index.proximity,
    county_index.is_flagged
from county_index
left join largest_industry on largest_industry.county_code = county_index.county_code
left join {{ ref('counties') }} as counties on counties.county_code = county_index.county_code
where county_index.n_industries <= {{ var("max_industries", 3) }}
   or county_index.excluded_share >= {{ var("min_excluded_share", 0.5) }}
order by county_index.n_industries, county_index.excluded_share desc, county_index.county_code
