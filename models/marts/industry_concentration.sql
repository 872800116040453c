-- Conventional measures of an industry's geographic concentration (the paper's footnote 4), per
-- industry-year, industry digits and region level, over the industries of var concentration_industries
-- ('manufacturing' by default: the regions' shares x_r are shares of all manufacturing, as Krugman 1991
-- and Ellison-Glaeser 1997 define them; 'all': of all industries), the locational Gini over OUTPUT and
-- the Ellison-Glaeser index over var ellison_glaeser_size (EMPLOYMENT by default, as Ellison and Glaeser
-- 1997; or output):
--   locational_gini  = Krugman (1991) locational Gini as in EconGeo's locational.Gini(): regions sorted by
--                      location quotient, the area between the industry's and the total's cumulative
--                      region shares (the concentration curve) and the diagonal; 0 = spread like all
--                      output, theoretical limit 0.5 (NOT doubled as a Lorenz Gini would be)
--   ellison_glaeser  = gamma_i = (G_i - (1 - sum_r x_r^2) H_i) / ((1 - sum_r x_r^2)(1 - H_i)) with
--                      G_i = sum_r (s_ri / s_i - x_r)^2, x_r = s_r / s (all regions of the level),
--                      H_i = sum_k (z_k / s_i)^2 over the industry's firms in the nation, every s and z
--                      in the Ellison-Glaeser size (employment of region, industry and firm by default)
-- Sums over regions where the industry has no output are written in closed form (see below), so the cost
-- follows the cells, not regions x industries.
{%- set scope = concentration_scope() %}
{%- set eg_size = var('ellison_glaeser_size') | string | lower %}
{%- if eg_size not in ['employment', 'output'] %}
{{ exceptions.raise_compiler_error("var ellison_glaeser_size must be 'employment' or 'output', not '" ~ eg_size ~ "'") }}
{%- endif %}

with
{%- if scope == 'manufacturing' %}

in_scope as (

    {{ concentration_industries() }}

),
{%- endif %}

cells as (

    select
        all_cells.year, all_cells.region_level, all_cells.region_code, all_cells.industry_digits,
        all_cells.industry_code, all_cells.output,
        cast(all_cells.{{ eg_size }} as double) as eg_size,
        all_cells.n_firms
    from {{ ref('cells') }} as all_cells
    {%- if scope == 'manufacturing' %}
    inner join in_scope
        on in_scope.industry_digits = all_cells.industry_digits and in_scope.industry_code = all_cells.industry_code
    {%- endif %}

),

region_totals as (

    select
        year, region_level, industry_digits, region_code,
        sum(output) as region_output, sum(eg_size) as region_eg_size
    from cells
    group by year, region_level, industry_digits, region_code

),

nation as (

    select
        year, region_level, industry_digits,
        sum(region_output) as nation_output, sum(region_eg_size) as nation_eg_size
    from region_totals
    group by year, region_level, industry_digits

),

-- x_r of the locational Gini (output) and of Ellison-Glaeser (its size), each NULL when the nation has none
region_shares as (

    select
        r.year, r.region_level, r.industry_digits, r.region_code,
        case when n.nation_output > 0 then r.region_output / n.nation_output end as region_share,
        case when n.nation_eg_size > 0 then r.region_eg_size / n.nation_eg_size end as eg_region_share,
        -- region_code's sort order as an integer, the tie-break of the location-quotient order below
        dense_rank() over (order by r.region_code) as region_order
    from region_totals as r
    inner join nation as n
        on r.year = n.year and r.region_level = n.region_level and r.industry_digits = n.industry_digits

),

region_share_squares as (

    select year, region_level, industry_digits, sum(eg_region_share * eg_region_share) as sum_region_share_sq
    from region_shares
    group by year, region_level, industry_digits

),

industry_totals as (

    select
        year, region_level, industry_digits, industry_code,
        sum(output) as industry_output,
        sum(eg_size) as industry_eg_size,
        count(case when n_firms > 0 then 1 end) as n_regions,
        -- one integer per industry-year-level-digits: the window below partitions on it (cheaper than four keys)
        row_number() over (order by year, region_level, industry_digits, industry_code) as industry_key
    from cells
    group by year, region_level, industry_digits, industry_code

),

-- s_ri / s_i and x_r for the regions where the industry has output (the locational Gini) or some of its
-- Ellison-Glaeser size (eg_: the same in that size); each NULL where the industry has none of it
cell_shares as (

    select
        i.industry_key,
        case when c.output > 0 then c.output / i.industry_output end as industry_share,
        x.region_share,
        x.region_order,
        case when c.eg_size > 0 then c.eg_size / i.industry_eg_size end as eg_industry_share,
        x.eg_region_share
    from cells as c
    inner join industry_totals as i
        on c.year = i.year and c.region_level = i.region_level and c.industry_digits = i.industry_digits
        and c.industry_code = i.industry_code
    inner join region_shares as x
        on c.year = x.year and c.region_level = x.region_level and c.industry_digits = x.industry_digits
        and c.region_code = x.region_code
    where c.output > 0 or c.eg_size > 0

),

curve as (

    select
        industry_key, industry_share, region_share,
        -- C_{k-1}: cumulative industry share of the regions before this one in location-quotient order
        coalesce(sum(industry_share) over (
            partition by industry_key
            order by industry_share / region_share, region_order
            rows between unbounded preceding and 1 preceding), 0) as industry_share_before
    from cell_shares
    where industry_share is not null

),

spatial as (

    select
        industry_key,
        -- area between the concentration curve and the diagonal, segment by segment:
        -- (1/2) sum_k (P_{k-1} c_k - p_k C_{k-1}), where the regions with no output of the industry (LQ = 0)
        -- come first (their segments have c = 0 and C = 0) so that P_{k-1} = 1 - T + R_{k-1}, T = sum_k p_k and
        -- R_{k-1} the cumulative p before k. As sum_k R_{k-1} c_k + sum_k p_k C_{k-1} + sum_k p_k c_k
        -- = T sum_k c_k, this is (1/2) (sum_k c_k - sum_k p_k c_k - 2 sum_k p_k C_{k-1}): one running sum only
        (sum(industry_share) - sum(region_share * industry_share) - 2 * sum(region_share * industry_share_before)) / 2
            as locational_gini
    from curve
    group by industry_key

),

-- Ellison-Glaeser's raw concentration, over the regions where the industry has some of its size
eg_concentration as (

    select
        industry_key,
        -- sum over the industry's regions of (c - x)^2 - x^2; adding sum_r x_r^2 gives G_i over all regions
        sum((eg_industry_share - eg_region_share) * (eg_industry_share - eg_region_share)
            - eg_region_share * eg_region_share) as raw_concentration_offset
    from cell_shares
    where eg_industry_share is not null
    group by industry_key

),

-- sums of the Ellison-Glaeser size of the firms per 4-digit industry (one scan of the firms), rolled up
-- to the coarser harmonised industries (int_industry_harmonised_rollup, never a label's prefix)
firm_sums as (

    select
        census_year as year, harmonised_industry_code,
        count(*) as n_firms,
        sum(cast({{ eg_size }} as double)) as eg_size,
        sum(cast({{ eg_size }} as double) * {{ eg_size }}) as eg_size_sq
    from {{ ref('int_firms_harmonised') }}
    group by census_year, harmonised_industry_code

),

firm_herfindahl as (

    select
        firm_sums.year, industry_levels.industry_digits, industry_levels.industry_code,
        cast(sum(firm_sums.n_firms) as {{ dbt.type_bigint() }}) as n_firms,
        case when sum(firm_sums.eg_size) > 0
             then sum(firm_sums.eg_size_sq) / (sum(firm_sums.eg_size) * sum(firm_sums.eg_size)) end as firm_herfindahl
    from firm_sums
    inner join {{ ref('int_industry_harmonised_rollup') }} as industry_levels
        on industry_levels.harmonised_industry_code = firm_sums.harmonised_industry_code
    group by firm_sums.year, industry_levels.industry_digits, industry_levels.industry_code

),

assembled as (

    select
        i.year, i.industry_digits, i.industry_code, i.region_level,
        s.locational_gini,
        e.raw_concentration_offset + q.sum_region_share_sq as raw_concentration,
        1 - q.sum_region_share_sq as region_dispersion,
        h.firm_herfindahl,
        h.n_firms,
        i.n_regions
    from industry_totals as i
    left join spatial as s
        on i.industry_key = s.industry_key
    left join eg_concentration as e
        on i.industry_key = e.industry_key
    left join region_share_squares as q
        on i.year = q.year and i.region_level = q.region_level and i.industry_digits = q.industry_digits
    left join firm_herfindahl as h
        on i.year = h.year and i.industry_digits = h.industry_digits and i.industry_code = h.industry_code

)

select
    year,
    industry_digits,
    industry_code,
    region_level,
    -- >= 0 by construction (regions sorted by LQ put the curve below the diagonal); an industry located
    -- exactly like all output can come out at -1e-16 from rounding, which is set to 0
    case when locational_gini < 0 and locational_gini > -1e-12 then 0.0 else locational_gini end as locational_gini,
    -- undefined with a single region (sum x_r^2 = 1) or a single producing firm (H = 1)
    case when region_dispersion > 0 and firm_herfindahl < 1
         then (raw_concentration - region_dispersion * firm_herfindahl)
              / (region_dispersion * (1 - firm_herfindahl))
    end as ellison_glaeser,
    firm_herfindahl,
    n_firms,
    n_regions
from assembled
