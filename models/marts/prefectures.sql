-- The prefectures of the harmonised counties (SPEC section 3: a harmonised county's prefecture is the first
-- four digits of its label, its province the first two), with names from the regions reference table. A
-- prefecture is named as in the latest year whose regions table names it: by the prefecture name its
-- counties carry, else by the name of the prefecture-level unit itself (a code ending in 00, such as
-- 441900 Dongguan, a city with no counties under it).
with harmonised_counties as (
    select distinct harmonised_county_code
    from {{ ref('int_county_harmonised') }}
),

regions as (
    select year, county_code, county_name, prefecture_name, province_name
    from {{ ref('stg_regions') }}
    where year is not null and county_code is not null
),

prefecture_names_by_year as (
    select
        substr(county_code, 1, 4) as prefecture_code,
        year,
        coalesce(
            max(prefecture_name),
            max(case when substr(county_code, 5, 2) = '00' then county_name end)
        ) as prefecture_name
    from regions
    group by substr(county_code, 1, 4), year
),

prefecture_names as (
    select prefecture_code, prefecture_name
    from (
        select
            prefecture_code,
            prefecture_name,
            row_number() over (partition by prefecture_code order by year desc) as recency
        from prefecture_names_by_year
        where prefecture_name is not null
    ) as named
    where recency = 1
),

province_names as (
    select province_code, province_name
    from (
        select
            substr(county_code, 1, 2) as province_code,
            province_name,
            row_number() over (partition by substr(county_code, 1, 2) order by year desc, province_name) as recency
        from regions
        where province_name is not null
    ) as named
    where recency = 1
),

prefecture_counties as (
    select
        substr(harmonised_county_code, 1, 4) as prefecture_code,
        count(*) as n_counties
    from harmonised_counties
    group by substr(harmonised_county_code, 1, 4)
),

provinces_en as (
    select province_code, name_en
    from {{ ref('provinces') }}
)

select
    prefecture_counties.prefecture_code,
    prefecture_names.prefecture_name,
    substr(prefecture_counties.prefecture_code, 1, 2) as province_code,
    province_names.province_name,
    provinces_en.name_en as province_name_en,
    cast(prefecture_counties.n_counties as integer) as n_counties
from prefecture_counties
left join prefecture_names on prefecture_names.prefecture_code = prefecture_counties.prefecture_code
left join province_names on province_names.province_code = substr(prefecture_counties.prefecture_code, 1, 2)
left join provinces_en on provinces_en.province_code = substr(prefecture_counties.prefecture_code, 1, 2)
