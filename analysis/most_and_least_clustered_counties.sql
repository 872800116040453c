-- Which counties are the most and the least clustered in a year? The top_n highest and lowest county
-- proximity P(r) (county x 4-digit industries, one size weight), with county, prefecture and province
-- names. Flagged counties (fewer than two mapped industries) have no index and are left out.
-- Vars: year (default 2004), weight (output | employment | total_assets; default output), top_n (default 10).
-- Run: dbt compile --select most_and_least_clustered_counties --vars '{year: 1995}', then
--      python -m cluster_finance sql --file target/compiled/cluster_finance/analysis/most_and_least_clustered_counties.sql
with county_index as (
    select region_code as county_code, proximity, n_industries, excluded_share
    from {{ ref('region_proximity') }}
    where region_level = 'county'
      and industry_digits = 4
      and weight = '{{ var("weight", "output") }}'
      and year = {{ var("year", 2004) }}
      and not is_flagged
),

ranked as (
    select
        county_index.*,
        row_number() over (order by proximity desc, county_code) as rank_from_top,
        row_number() over (order by proximity asc, county_code) as rank_from_bottom
    from county_index
),

both_ends as (
    select 'most' as end_of_ranking, rank_from_top as rank, county_code, proximity, n_industries, excluded_share
    from ranked
    where rank_from_top <= {{ var("top_n", 10) }}
    union all
    select 'least' as end_of_ranking, rank_from_bottom as rank, county_code, proximity, n_industries, excluded_share
    from ranked
    where rank_from_bottom <= {{ var("top_n", 10) }}
)

select
    both_ends.end_of_ranking,
    both_ends.rank,
    both_ends.county_code,
    counties.county_name,
    counties.prefecture_name,
    counties.province_name,
    both_ends.proximity,
    both_ends.n_industries,
    both_ends.excluded_share
from both_ends
left join {{ ref('counties') }} as counties on counties.county_code = both_ends.county_code
order by both_ends.end_of_ranking desc, both_ends.rank
