with source as (
    select * from {{ ref('land_regions') }}
),

renamed as (
    select
        trim(county_code) as county_code,
        {{ parse_number('year', 'integer') }} as year,
        nullif(trim(county_name), '') as county_name,
        nullif(trim(prefecture_name), '') as prefecture_name,
        nullif(trim(province_name), '') as province_name
    from source
)

select * from renamed
