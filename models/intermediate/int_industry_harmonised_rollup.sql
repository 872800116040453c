-- Each 4-digit harmonised industry with the 4-, 3- and 2-digit harmonised industries it belongs to
-- (SPEC section 3): what cells, industry products and the concentration indices roll up by, so that no
-- model takes a coarser industry by cutting a label. A 4-digit industry's members (vintage, code) cut to
-- 3 or 2 digits all lie in one component at that level (int_industry_harmonised says why); `distinct`
-- keeps one row, and the unique key test fails the build if that ever stopped holding.
with harmonised as (
    select industry_digits, vintage, industry_code, harmonised_code
    from {{ ref('int_industry_harmonised') }}
),

finest as (
    select vintage, industry_code, harmonised_code
    from harmonised
    where industry_digits = 4
)

select distinct
    finest.harmonised_code as harmonised_industry_code,
    coarser.industry_digits,
    coarser.harmonised_code as industry_code
from finest
inner join harmonised as coarser
    on coarser.vintage = finest.vintage
    and coarser.industry_code = substr(finest.industry_code, 1, coarser.industry_digits)
