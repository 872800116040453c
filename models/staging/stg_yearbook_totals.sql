with source as (
    select * from {{ ref('land_yearbook_totals') }}
),

renamed as (
    select
        {{ parse_number('year', 'integer') }} as year,
        {{ parse_number('gross_output_trillion_rmb') }} as gross_output_trillion_rmb
    from source
)

select * from renamed
