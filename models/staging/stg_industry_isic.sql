with source as (
    select * from {{ ref('land_industry_isic') }}
),

renamed as (
    select distinct
        trim(vintage) as vintage,
        trim(industry_code) as industry_code,
        trim(isic_code) as isic_code
    from source
)

select * from renamed
