with source as (
    select * from {{ ref('land_industry_concordance') }}
),

renamed as (
    select distinct
        trim(code_1994) as code_1994,
        trim(code_2002) as code_2002
    from source
)

select * from renamed
