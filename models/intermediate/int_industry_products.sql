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

-- a harmonised industry's products are the union of those of its member codes, in both vintages
classified as (
    select vintage as classification, industry_code, product
    from code_products
    union all
    select 'harmonised' as classification, harmonised.harmonised_code as industry_code, code_products.product
    from code_products
    inner join {{ ref('int_industry_harmonised') }} as harmonised
        on harmonised.vintage = code_products.vintage and harmonised.industry_code = code_products.industry_code
),

industry_levels as (
    select 4 as industry_digits
    union all select 3
    union all select 2
),

-- a coarser industry's products are the union of its children's
industry_products as (
    select distinct
        classified.classification,
        industry_levels.industry_digits,
        substr(classified.industry_code, 1, industry_levels.industry_digits) as industry_code,
        classified.product
    from classified
    cross join industry_levels
)

select
    classification,
    industry_digits,
    industry_code,
    product,
    1.0 / count(*) over (partition by classification, industry_digits, industry_code) as weight
from industry_products
