-- Conventional measures of regional specialisation (the paper's footnote 4), per region-year, level and
-- industry digits, over industry shares of OUTPUT:
--   hhi      = sum_i (s_ri / s_r)^2
--   krugman  = sum_i |s_ri / s_r - s_i / s|, the nation being all regions of the level in that year
--   gini     = REAT gini() (coefnorm = FALSE) of the location quotients LQ_ri = (s_ri / s_r) / (s_i / s)
--              over ALL industries of the nation with positive output (zeros for the ones the region lacks)
-- Every sum runs over the region's industries with positive output only (the sparse cells), and the
-- absent industries are added in closed form, so the cost follows the cells, not regions x industries.
-- The industries are those of var concentration_industries: 'manufacturing' (default; the CIC divisions
-- of var manufacturing_divisions), so that the nation the Krugman index compares with is "all
-- manufacturing industries" as the paper (after Krugman 1991) defines it, or 'all'. A region with no
-- industry in scope keeps its row, with NULL indices.
{%- set scope = concentration_scope() %}

with all_cells as (

    select year, region_level, region_code, industry_digits, industry_code, output
    from {{ ref('cells') }}

),

{%- if scope == 'manufacturing' %}

in_scope as (

    {{ concentration_industries() }}

),
{%- endif %}

cells as (

    select all_cells.*
    from all_cells
    {%- if scope == 'manufacturing' %}
    inner join in_scope
        on in_scope.industry_digits = all_cells.industry_digits and in_scope.industry_code = all_cells.industry_code
    {%- endif %}

),

regions as (

    select distinct year, region_level, region_code, industry_digits
    from all_cells

),

industry_totals as (

    select
        year, region_level, industry_digits, industry_code, sum(output) as industry_output,
        -- industry_code's sort order as an integer, the tie-break of the location-quotient order below
        dense_rank() over (order by industry_code) as industry_order
    from cells
    group by year, region_level, industry_digits, industry_code

),

nation as (

    select
        year, region_level, industry_digits,
        sum(industry_output) as nation_output,
        -- the industries the Gini runs over; an industry with no output anywhere has no location quotient
        count(case when industry_output > 0 then 1 end) as n_nation_industries
    from industry_totals
    group by year, region_level, industry_digits

),

region_totals as (

    select
        year, region_level, region_code, industry_digits,
        sum(output) as region_output,
        count(case when output > 0 then 1 end) as n_industries,
        -- one integer per region-year-level-digits: the window below partitions on it (cheaper than four keys)
        row_number() over (order by year, region_level, region_code, industry_digits) as region_key
    from cells
    group by year, region_level, region_code, industry_digits

),

shares as (

    select
        r.region_key,
        i.industry_order,
        c.output / r.region_output as region_share,
        i.industry_output / n.nation_output as nation_share,
        n.n_nation_industries,
        r.n_industries
    from cells as c
    inner join region_totals as r
        on c.year = r.year and c.region_level = r.region_level and c.region_code = r.region_code
        and c.industry_digits = r.industry_digits
    inner join industry_totals as i
        on c.year = i.year and c.region_level = i.region_level and c.industry_digits = i.industry_digits
        and c.industry_code = i.industry_code
    inner join nation as n
        on c.year = n.year and c.region_level = n.region_level and c.industry_digits = n.industry_digits
    where c.output > 0

),

ranked as (

    select
        *,
        region_share / nation_share as location_quotient,
        -- rank among all N industries of the nation sorted ascending: the N - m absent ones (LQ = 0) come
        -- first, so the k-th smallest positive LQ has rank (N - m) + k
        n_nation_industries - n_industries
            + row_number() over (
                partition by region_key
                order by region_share / nation_share, industry_order
            ) as lq_rank
    from shares

),

indices as (

    select
        region_key,
        sum(region_share * region_share) as hhi,
        -- |a_i - b_i| over the region's industries, plus b_i for every industry it lacks (a_i = 0)
        sum(abs(region_share - nation_share)) + (1 - sum(nation_share)) as krugman,
        -- G = 2 sum_k k x_(k) / (N sum x) - (N + 1) / N, the closed form of REAT's trapezoid Lorenz Gini
        2 * sum(lq_rank * location_quotient) / (max(n_nation_industries) * sum(location_quotient))
            - (max(n_nation_industries) + 1.0) / max(n_nation_industries) as gini
    from ranked
    group by region_key

)

select
    regions.year,
    regions.region_level,
    regions.region_code,
    regions.industry_digits,
    i.hhi,
    -- both indices are >= 0 by construction; a region whose mix is the nation's can come out at -1e-16 from
    -- rounding, which is set to 0 (a real error would be far larger and fail the accepted_range tests)
    case when i.krugman < 0 and i.krugman > -1e-12 then 0.0 else i.krugman end as krugman,
    case when i.gini < 0 and i.gini > -1e-12 then 0.0 else i.gini end as gini,
    coalesce(r.n_industries, 0) as n_industries
from regions
left join region_totals as r
    on r.year = regions.year and r.region_level = regions.region_level and r.region_code = regions.region_code
    and r.industry_digits = regions.industry_digits
left join indices as i
    on r.region_key = i.region_key
