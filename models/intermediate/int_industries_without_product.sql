-- Industries that reach no product of the product space (utilities, services, recycling...). They are
-- left out of every proximity index (SPEC section 3); listing them here keeps that visible.
with known_codes as (
    select vintage as classification, industry_code from {{ ref('int_industry_harmonised') }}
    union
    select 'harmonised' as classification, harmonised_code as industry_code
    from {{ ref('int_industry_harmonised') }}
),

industry_levels as (
    select 4 as industry_digits
    union all select 3
    union all select 2
),

known_industries as (
    select distinct
        known_codes.classification,
        industry_levels.industry_digits,
        substr(known_codes.industry_code, 1, industry_levels.industry_digits) as industry_code
    from known_codes
    cross join industry_levels
),

with_product as (
    select distinct classification, industry_digits, industry_code
    from {{ ref('int_industry_products') }}
)

select known_industries.classification, known_industries.industry_digits, known_industries.industry_code
from known_industries
left join with_product
    on with_product.classification = known_industries.classification
    and with_product.industry_digits = known_industries.industry_digits
    and with_product.industry_code = known_industries.industry_code
where with_product.industry_code is null
