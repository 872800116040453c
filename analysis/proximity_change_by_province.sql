-- How did clustering change between two census years, province by province? The province's own
-- proximity P(r) (province x 4-digit industries) in each year and its change, beside the mean county
-- proximity of the province's counties present in both years and its change (harmonised counties, so a
-- county that merged or split is compared with itself).
-- Vars: from_year (default 1995), to_year (default 2004), weight (default output).
with province_index as (
    select year, region_code as province_code, proximity
    from {{ ref('region_proximity') }}
    where region_level = 'province' and industry_digits = 4 and weight = '{{ var("weight", "output") }}'
),

county_index as (
    select year, region_code as county_code, proximity
    from {{ ref('region_proximity') }}
    where region_level = 'county' and industry_digits = 4 and weight = '{{ var("weight", "output") }}'
      and proximity is not null
),

county_pairs as (
    select
        substr(later.county_code, 1, 2) as province_code,
        earlier.proximity as proximity_from,
        later.proximity as proximity_to
    from county_index as earlier
    inner join county_index as later
        on later.county_code = earlier.county_code
       and earlier.year = {{ var("from_year", 1995) }}
       and later.year = {{ var("to_year", 2004) }}
),

county_means as (
    select
        province_code,
        count(*) as n_counties_both_years,
        avg(proximity_from) as mean_county_proximity_from,
        avg(proximity_to) as mean_county_proximity_to
    from county_pairs
    group by province_code
),

province_names as (
    select distinct province_code, province_name, province_name_en
    from {{ ref('prefectures') }}
),

provinces_seen as (
    select province_code from province_index
    union
    select province_code from county_means
)

select
    provinces_seen.province_code,
    province_names.province_name,
    province_names.province_name_en,
    earlier.proximity as proximity_from,
    later.proximity as proximity_to,
    later.proximity - earlier.proximity as proximity_change,
    coalesce(county_means.n_counties_both_years, 0) as n_counties_both_years,
    county_means.mean_county_proximity_from,
    county_means.mean_county_proximity_to,
    county_means.mean_county_proximity_to - county_means.mean_county_proximity_from as mean_county_change
from provinces_seen
left join province_index as earlier
    on earlier.province_code = provinces_seen.province_code and earlier.year = {{ var("from_year", 1995) }}
left join province_index as later
    on later.province_code = provinces_seen.province_code and later.year = {{ var("to_year", 2004) }}
left join county_means on county_means.province_code = provinces_seen.province_code
left join province_names on province_names.province_code = provinces_seen.province_code
order by proximity_change desc nulls last, provinces_seen.province_code
