with source as (
    select * from {{ ref('land_county_crosswalk') }}
),

renamed as (
    select distinct
        trim(code_from) as code_from,
        {{ parse_number('year_from', 'integer') }} as year_from,
        trim(code_to) as code_to,
        {{ parse_number('year_to', 'integer') }} as year_to
    from source
)

select * from renamed
