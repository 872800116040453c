-- The Hausmann-Klinger region proximity index P(r) (SPEC section 3) for every year, region level, industry
-- digits and size weight: the sum over the region's industries of their contributions
-- s(r,i) P(r,i) / sum_i s(r,i), which region_industry_proximity computes (the one place the formula is
-- written), with the region's count of mapped industries and the share of its size left out (industries
-- with no product proximity). county_proximity reads this.
with terms as (
    select year, region_level, region_code, industry_digits, weight, is_mapped, size, contribution
    from {{ ref('region_industry_proximity') }}
),

regions as (
    select
        year, region_level, region_code, industry_digits, weight,
        sum(size) as total_size,
        sum(case when is_mapped then size else 0 end) as mapped_size,
        count(case when is_mapped and size > 0 then 1 end) as n_industries,
        sum(contribution) as contribution_sum
    from terms
    group by year, region_level, region_code, industry_digits, weight
)

select
    year,
    region_level,
    region_code,
    industry_digits,
    weight,
    {%- set single = var('single_industry_proximity') %}
    {%- set single = 'null' if single is none else single | string | lower %}
    {% if single == 'zero' -%}
    -- var single_industry_proximity = 'zero': the paper's Table 5 zeros for single-industry regions
    case when n_industries < 2 then 0.0 else contribution_sum end as proximity,
    {%- elif single == 'null' -%}
    case when n_industries >= 2 then contribution_sum end as proximity,
    {%- else -%}
    {{ exceptions.raise_compiler_error("var single_industry_proximity must be 'null' or 'zero', not '"
                                        ~ var('single_industry_proximity') ~ "'") }}
    {%- endif %}
    cast(n_industries as integer) as n_industries,
    -- a region whose size is zero under this weight has no share to report; rounding can leave a hair
    -- outside [0, 1] when nearly all of the size is (or is not) excluded
    case when total_size > 0
         then greatest(0.0, least(1.0, (total_size - mapped_size) / total_size)) end as excluded_share,
    n_industries < 2 as is_flagged
from regions
