-- Industries that reach no product of the product space (utilities, services, recycling...). They are
-- left out of every proximity index (SPEC section 3); listing them here keeps that visible.
with industry_levels as (
    {%- for digits in var('industry_digits') %}
    select {{ digits }} as industry_digits
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

known_industries as (
    -- a vintage's coarser industries are prefixes of its codes
    select distinct
        harmonised.vintage as classification,
        industry_levels.industry_digits,
        substr(harmonised.industry_code, 1, industry_levels.industry_digits) as industry_code
    from {{ ref('int_industry_harmonised') }} as harmonised
    cross join industry_levels
    where harmonised.industry_digits = 4
    union
    -- harmonised industries at every level are the components (int_industry_harmonised_rollup)
    select distinct 'harmonised' as classification, industry_digits, industry_code
    from {{ ref('int_industry_harmonised_rollup') }}
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
