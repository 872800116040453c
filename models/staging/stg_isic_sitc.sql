with source as (
    select * from {{ ref('land_isic_sitc') }}
),

renamed as (
    select distinct
        trim(isic_code) as isic_code,
        trim(sitc_code) as sitc_code
    from source
)

select * from renamed
