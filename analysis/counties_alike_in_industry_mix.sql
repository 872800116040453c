-- Which counties are most alike in industry mix to a given county? The cosine similarity of the two
-- counties' output vectors over 4-digit (harmonised) industries in a year: 1 for the same mix in any
-- proportion, 0 for no industry in common. With each county's proximity, to see whether counties with
-- the same industries are equally clustered.
-- Vars: county_code (a harmonised county code; default 110101), year (default 2004), top_n (default 10).
with county_cells as (
    select region_code as county_code, industry_code, output
    from {{ ref('cells') }}
    where region_level = 'county' and industry_digits = 4 and year = {{ var("year", 2004) }}
      and output > 0
),

norms as (
    select county_code, sqrt(sum(output * output)) as norm
    from county_cells
    group by county_code
),

target as (
    select industry_code, output
    from county_cells
    where county_code = '{{ var("county_code", "110101") }}'
),

dot_products as (
    select county_cells.county_code, sum(county_cells.output * target.output) as dot_product,
        count(*) as n_common_industries
    from county_cells
    inner join target on target.industry_code = county_cells.industry_code
    where county_cells.county_code <> '{{ var("county_code", "110101") }}'
    group by county_cells.county_code
),

similarity as (
    select
        dot_products.county_code,
        dot_products.n_common_industries,
        dot_products.dot_product / (norms.norm * target_norm.norm) as cosine_similarity
    from dot_products
    inner join norms on norms.county_code = dot_products.county_code
    inner join norms as target_norm on target_norm.county_code = '{{ var("county_code", "110101") }}'
),

ranked as (
    select similarity.*, row_number() over (order by cosine_similarity desc, county_code) as rank
    from similarity
)

select
    ranked.rank,
    ranked.county_code,
    counties.county_name,
    counties.province_name,
    ranked.cosine_similarity,
    ranked.n_common_industries,
    county_proximity.proximity_output as proximity_output,
    target_proximity.proximity_output as target_proximity_output
from ranked
left join {{ ref('counties') }} as counties on counties.county_code = ranked.county_code
left join {{ ref('county_proximity') }} as county_proximity
    on county_proximity.county_code = ranked.county_code and county_proximity.year = {{ var("year", 2004) }}
left join {{ ref('county_proximity') }} as target_proximity
    on target_proximity.county_code = '{{ var("county_code", "110101") }}'
   and target_proximity.year = {{ var("year", 2004) }}
where ranked.rank <= {{ var("top_n", 10) }}
order by ranked.rank
