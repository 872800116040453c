-- The harmonised counties (int_county_harmonised) with names: one row per comparable county unit, named
-- as its label (the smallest code of the unit's latest year) is named in that year's regions table
-- (SPEC section 3: a harmonised county's prefecture and province are those of its label), with the codes
-- the unit is made of in each year. Prefecture and province names come from `prefectures`.
with members as (
    select year, county_code, harmonised_county_code
    from {{ ref('int_county_harmonised') }}
),

regions as (
    select year, county_code, county_name
    from {{ ref('stg_regions') }}
    where year is not null and county_code is not null and county_name is not null
),

units as (
    select
        harmonised_county_code,
        max(year) as latest_year,
        count(distinct county_code) as n_codes
    from members
    group by harmonised_county_code
),

-- The label's name in the latest year that names it (the unit's latest year when the regions table
-- covers it).
label_names as (
    select county_code, county_name
    from (
        select
            units.harmonised_county_code as county_code,
            regions.county_name,
            row_number() over (partition by units.harmonised_county_code order by regions.year desc) as recency
        from units
        inner join regions
            on regions.county_code = units.harmonised_county_code and regions.year <= units.latest_year
    ) as named
    where recency = 1
),

codes_by_year as (
    select
        harmonised_county_code,
        cast(year as {{ dbt.type_string() }}) || ': ' || {{ ordered_string_agg('county_code', ',') }} as year_codes
    from members
    group by harmonised_county_code, year
),

member_codes as (
    select harmonised_county_code, {{ ordered_string_agg('year_codes', '; ') }} as member_codes
    from codes_by_year
    group by harmonised_county_code
),

prefectures as (
    select prefecture_code, prefecture_name, province_code, province_name, province_name_en
    from {{ ref('prefectures') }}
)

select
    units.harmonised_county_code as county_code,
    label_names.county_name,
    prefectures.prefecture_code,
    prefectures.prefecture_name,
    prefectures.province_code,
    prefectures.province_name,
    prefectures.province_name_en,
    cast(units.latest_year as integer) as latest_year,
    cast(units.n_codes as integer) as n_codes,
    member_codes.member_codes
from units
inner join prefectures on prefectures.prefecture_code = substr(units.harmonised_county_code, 1, 4)
left join label_names on label_names.county_code = units.harmonised_county_code
left join member_codes on member_codes.harmonised_county_code = units.harmonised_county_code
