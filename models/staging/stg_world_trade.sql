with source as (
    select * from {{ ref('land_world_trade') }}
),

renamed as (
    select
        -- keys
        {{ parse_number('year', 'integer') }} as year,
        lower(trim(country)) as country,
        trim(product) as product,

        -- amounts, USD
        {{ parse_number('value') }} as export_value
    from source
)

select * from renamed
