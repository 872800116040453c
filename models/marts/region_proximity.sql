-- The Hausmann-Klinger region proximity index (SPEC section 3) for every year, region level, industry
-- digits and size weight s in {output, employment, total_assets}:
--   P(r,i) = sum_{j != i} s(r,j) phi(i,j) / sum_{j != i} s(r,j)
--   P(r)   = sum_i s(r,i) P(r,i) / sum_i s(r,i)
-- over the region's mapped industries (those with product proximity, classification 'harmonised') with
-- s > 0. Written as dense vectors: each region gets one size vector per weight over the industry index of
-- its digits, each industry one proximity row with phi(i,i) = 0, so the numerator of P(r,i) is one inner
-- product and j != i needs no pairwise join; the denominator is the region's mapped total minus s(r,i).
-- For speed (issue 8) the vectors are spread from one sparse list per region rather than aggregated over
-- a zero-padded region x industry join, and the cells are unnested from the region row so that only the
-- proximity row is joined per cell.
-- This is the one place the formula is written; county_proximity reads it.
with proximity as (
    select industry_digits, industry_a, industry_b, proximity
    from {{ ref('industry_proximity') }}
    where classification = 'harmonised'
),

-- The mapped industries of each digits level and their position in the dense vectors. An industry with
-- no product has no proximity row (industry_proximity leaves it out) and so no position.
industry_index as (
    select
        industry_digits,
        industry_code,
        row_number() over (partition by industry_digits order by industry_code) as position
    from (select distinct industry_digits, industry_a as industry_code from proximity) as mapped
),

-- phi(i, .) over the index; the missing diagonal becomes 0, which is what leaves j = i out of P(r,i).
proximity_rows as (
    select
        row_i.industry_digits,
        row_i.industry_code,
        {{ ordered_list_agg('coalesce(proximity.proximity, 0.0)', 'column_j.position') }} as proximity_row
    from industry_index as row_i
    inner join industry_index as column_j on column_j.industry_digits = row_i.industry_digits
    left join proximity
        on proximity.industry_digits = row_i.industry_digits
       and proximity.industry_a = row_i.industry_code
       and proximity.industry_b = column_j.industry_code
    group by row_i.industry_digits, row_i.industry_code
),

cells as (
    select
        cells.year, cells.region_level, cells.region_code, cells.industry_digits, cells.industry_code,
        cells.output, cast(cells.employment as double) as employment, cells.total_assets,
        industry_index.position is not null as is_mapped
    from {{ ref('cells') }} as cells
    left join industry_index
        on industry_index.industry_digits = cells.industry_digits
       and industry_index.industry_code = cells.industry_code
),

-- Every region row, with its total size and mapped size per weight (for excluded_share and P(r)).
regions as (
    select
        year, region_level, region_code, industry_digits,
        sum(output) as total_output,
        sum(employment) as total_employment,
        sum(total_assets) as total_total_assets,
        sum(case when is_mapped then output else 0 end) as mapped_output,
        sum(case when is_mapped then employment else 0 end) as mapped_employment,
        sum(case when is_mapped then total_assets else 0 end) as mapped_total_assets,
        count(case when is_mapped and output > 0 then 1 end) as n_industries_output,
        count(case when is_mapped and employment > 0 then 1 end) as n_industries_employment,
        count(case when is_mapped and total_assets > 0 then 1 end) as n_industries_total_assets
    from cells
    group by year, region_level, region_code, industry_digits
),

-- The mapped cells of each region as aligned lists (position, sizes), and where each position of the
-- industry index sits among them (none: the region has no firm of it). Only regions with at least two
-- mapped industries under some weight get an index, so the others need no vectors.
region_entries as (
    select
        cells.year, cells.region_level, cells.region_code, cells.industry_digits,
        {{ list_agg('industry_index.position') }} as cell_positions,
        {%- for weight in ['output', 'employment', 'total_assets'] %}
        {{ list_agg('cells.' ~ weight) }} as {{ weight }}_values{{ ',' if not loop.last }}
        {%- endfor %}
    from cells
    inner join industry_index
        on industry_index.industry_digits = cells.industry_digits
       and industry_index.industry_code = cells.industry_code
    group by cells.year, cells.region_level, cells.region_code, cells.industry_digits
),

industry_counts as (
    select industry_digits, count(*) as n_positions from industry_index group by industry_digits
),

region_slots as (
    select
        region_entries.*,
        {{ dense_slots('region_entries.cell_positions', 'industry_counts.n_positions') }} as slots
    from region_entries
    inner join industry_counts on industry_counts.industry_digits = region_entries.industry_digits
    inner join regions
        on regions.year = region_entries.year and regions.region_level = region_entries.region_level
       and regions.region_code = region_entries.region_code and regions.industry_digits = region_entries.industry_digits
    where greatest(regions.n_industries_output, regions.n_industries_employment,
                   regions.n_industries_total_assets) >= 2
),

-- The size vectors: one per weight over the industry index, zero where the region has no firm of it.
size_vectors as (
    select
        year, region_level, region_code, industry_digits, cell_positions,
        {%- for weight in ['output', 'employment', 'total_assets'] %}
        {{ dense_values(weight ~ '_values', 'slots') }} as {{ weight }}_vector{{ ',' if not loop.last }}
        {%- endfor %}
    from region_slots
),

-- One row per mapped cell, unnested from its region's row (so the region's vectors are not joined to each
-- cell), with s(r,i) read from the vectors.
region_cells as (
    select
        regions.*,
        size_vectors.output_vector, size_vectors.employment_vector, size_vectors.total_assets_vector,
        {{ unnest_list('size_vectors.cell_positions') }} as position
    from size_vectors
    inner join regions
        on regions.year = size_vectors.year and regions.region_level = size_vectors.region_level
       and regions.region_code = size_vectors.region_code and regions.industry_digits = size_vectors.industry_digits
),

proximity_by_position as (
    select proximity_rows.industry_digits, industry_index.position, proximity_rows.proximity_row
    from proximity_rows
    inner join industry_index
        on industry_index.industry_digits = proximity_rows.industry_digits
       and industry_index.industry_code = proximity_rows.industry_code
),

-- s(r,i) * P(r,i) for each mapped industry i of each region; an industry with s = 0 under a weight is not
-- among that weight's industries and contributes nothing.
industry_terms as (
    select
        region_cells.year, region_cells.region_level, region_cells.region_code, region_cells.industry_digits,
        {%- for weight in ['output', 'employment', 'total_assets'] %}
        {%- set size = list_element('region_cells.' ~ weight ~ '_vector', 'region_cells.position') %}
        case when {{ size }} > 0 and region_cells.n_industries_{{ weight }} >= 2
             then {{ size }} * {{ list_inner_product('region_cells.' ~ weight ~ '_vector', 'proximity_by_position.proximity_row') }}
                  / (region_cells.mapped_{{ weight }} - {{ size }}) end as {{ weight }}_term
        {{- ',' if not loop.last }}
        {%- endfor %}
    from region_cells
    inner join proximity_by_position
        on proximity_by_position.industry_digits = region_cells.industry_digits
       and proximity_by_position.position = region_cells.position
),

region_sums as (
    select
        year, region_level, region_code, industry_digits,
        sum(output_term) as output_sum,
        sum(employment_term) as employment_sum,
        sum(total_assets_term) as total_assets_sum
    from industry_terms
    group by year, region_level, region_code, industry_digits
),

indexed as (
    select regions.*, region_sums.output_sum, region_sums.employment_sum, region_sums.total_assets_sum
    from regions
    left join region_sums
        on region_sums.year = regions.year and region_sums.region_level = regions.region_level
       and region_sums.region_code = regions.region_code and region_sums.industry_digits = regions.industry_digits
),

by_weight as (
    {%- for weight in ['output', 'employment', 'total_assets'] %}
    select
        year, region_level, region_code, industry_digits,
        '{{ weight }}' as weight,
        case when n_industries_{{ weight }} >= 2 then {{ weight }}_sum / mapped_{{ weight }} end as raw_proximity,
        n_industries_{{ weight }} as n_industries,
        -- a region whose size is zero under this weight has no share to report
        case when total_{{ weight }} > 0
             then (total_{{ weight }} - mapped_{{ weight }}) / total_{{ weight }} end as excluded_share
    from indexed
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
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
    -- var single_industry_proximity = 'zero' (default): a region with ONE mapped industry gets 0, the paper's
    -- Table 5 minimum of 0.000; a region with none stays NULL, as the paper's sample sizes suggest (Table 5's
    -- proximity N is below its minimum-asset N: counties with no industry in the product space are missing)
    case when n_industries = 1 then 0.0 else raw_proximity end as proximity,
    {%- elif single == 'null' -%}
    raw_proximity as proximity,
    {%- else -%}
    {{ exceptions.raise_compiler_error("var single_industry_proximity must be 'null' or 'zero', not '"
                                        ~ var('single_industry_proximity') ~ "'") }}
    {%- endif %}
    cast(n_industries as integer) as n_industries,
    -- rounding can leave a hair outside [0, 1] when nearly all of the size is (or is not) excluded
    greatest(0.0, least(1.0, excluded_share)) as excluded_share,
    n_industries < 2 as is_flagged
from by_weight
