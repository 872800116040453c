-- Industry -> product weights (SPEC section 3; the paper's section 3): CIC -> ISIC Rev.3 -> SITC Rev.2
-- composed here; each industry gives equal weight, summing to 1, to each distinct product it reaches
-- that is in the product space. Products outside the space are removed BEFORE the weights are computed.
with product_space as (
    select distinct product_a as product
    from {{ ref('int_product_proximity_by_year') }}
),

code_products as (
    select distinct
        industry_isic.vintage,
        industry_isic.industry_code,
        isic_sitc.sitc_code as product
    from {{ ref('int_industry_isic') }} as industry_isic
    inner join {{ ref('stg_isic_sitc') }} as isic_sitc on isic_sitc.isic_code = industry_isic.isic_code
    inner join product_space on product_space.product = isic_sitc.sitc_code
),

industry_levels as (
    {%- for digits in var('industry_digits') %}
    select {{ digits }} as industry_digits
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

-- Within one vintage a coarser industry is the code's prefix (the classification's own hierarchy), and its
-- products are the union of its children's.
vintage_products as (
    select
        code_products.vintage as classification,
        industry_levels.industry_digits,
        substr(code_products.industry_code, 1, industry_levels.industry_digits) as industry_code,
        code_products.product
    from code_products
    cross join industry_levels
),

-- A harmonised industry's products are the union of its member codes' in both vintages; a coarser
-- harmonised industry's, the union of the 4-digit harmonised industries in it (never a label's prefix).
harmonised_products as (
    select
        'harmonised' as classification,
        rollup.industry_digits,
        rollup.industry_code,
        code_products.product
    from code_products
    inner join {{ ref('int_industry_harmonised') }} as harmonised
        on harmonised.industry_digits = 4
        and harmonised.vintage = code_products.vintage
        and harmonised.industry_code = code_products.industry_code
    inner join {{ ref('int_industry_harmonised_rollup') }} as rollup
        on rollup.harmonised_industry_code = harmonised.harmonised_code
),

industry_products as (
    select classification, industry_digits, industry_code, product from vintage_products
    union
    select classification, industry_digits, industry_code, product from harmonised_products
)

select
    classification,
    industry_digits,
    industry_code,
    product,
    1.0 / count(*) over (partition by classification, industry_digits, industry_code) as weight
from industry_products
