-- The terms of the Hausmann-Klinger region proximity index (SPEC section 3), one row per cell of `cells`
-- (year x region level x region x industry digits x industry) and size weight s in {output, employment,
-- total_assets}:
--   P(r,i) = sum_{j != i} s(r,j) phi(i,j) / sum_{j != i} s(r,j)
-- over the region's mapped industries (those with product proximity, classification 'harmonised') with
-- s > 0, and the share of s(r,i) in the region's mapped size, the weight of P(r,i) in
--   P(r)   = sum_i s(r,i) P(r,i) / sum_i s(r,i),
-- so that `contribution` = share x P(r,i) sums to P(r) over a region's industries. This is the one place
-- the formula is written; region_proximity adds up the contributions and county_proximity reads that.
-- Written as dense vectors: each region gets one size vector per weight over the industry index of its
-- digits, each industry one proximity row with phi(i,i) = 0, so the numerator of P(r,i) is one inner
-- product and j != i needs no pairwise join; the denominator is the region's mapped total minus s(r,i).
-- For speed (issue 8) the vectors are spread from one sparse list per region rather than aggregated over
-- a zero-padded region x industry join, and the cells are unnested from the region row so that only the
-- proximity row is joined per cell.
{%- set weights = ['output', 'employment', 'total_assets'] %}
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
        cells.output, cast(cells.employment as double) as employment, cells.total_assets, cells.n_firms,
        industry_index.position is not null as is_mapped
    from {{ ref('cells') }} as cells
    left join industry_index
        on industry_index.industry_digits = cells.industry_digits
       and industry_index.industry_code = cells.industry_code
),

-- Every region row, with its mapped size and number of mapped industries per weight.
regions as (
    select
        year, region_level, region_code, industry_digits,
        {%- for weight in weights %}
        sum(case when is_mapped then {{ weight }} else 0 end) as mapped_{{ weight }},
        count(case when is_mapped and {{ weight }} > 0 then 1 end) as n_industries_{{ weight }}
        {{- ',' if not loop.last }}
        {%- endfor %}
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
        {%- for weight in weights %}
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
        {%- for weight in weights %}
        {{ dense_values(weight ~ '_values', 'slots') }} as {{ weight }}_vector{{ ',' if not loop.last }}
        {%- endfor %}
    from region_slots
),

-- One row per mapped cell, unnested from its region's row (so the region's vectors are not joined to each
-- cell), with s(r,i) read from the vectors.
region_cells as (
    select
        regions.*,
        {%- for weight in weights %}
        size_vectors.{{ weight }}_vector,
        {%- endfor %}
        {{ unnest_list('size_vectors.cell_positions') }} as position
    from size_vectors
    inner join regions
        on regions.year = size_vectors.year and regions.region_level = size_vectors.region_level
       and regions.region_code = size_vectors.region_code and regions.industry_digits = size_vectors.industry_digits
),

proximity_by_position as (
    select proximity_rows.industry_digits, proximity_rows.industry_code, industry_index.position,
        proximity_rows.proximity_row
    from proximity_rows
    inner join industry_index
        on industry_index.industry_digits = proximity_rows.industry_digits
       and industry_index.industry_code = proximity_rows.industry_code
),

-- P(r,i) for each mapped industry i of each region with at least two mapped industries under the weight;
-- an industry with s = 0 under a weight is not among that weight's industries and gets none.
industry_terms as (
    select
        region_cells.year, region_cells.region_level, region_cells.region_code, region_cells.industry_digits,
        proximity_by_position.industry_code,
        {%- for weight in weights %}
        {%- set size = list_element('region_cells.' ~ weight ~ '_vector', 'region_cells.position') %}
        case when {{ size }} > 0 and region_cells.n_industries_{{ weight }} >= 2
             then {{ list_inner_product('region_cells.' ~ weight ~ '_vector', 'proximity_by_position.proximity_row') }}
                  / (region_cells.mapped_{{ weight }} - {{ size }}) end as {{ weight }}_proximity
        {{- ',' if not loop.last }}
        {%- endfor %}
    from region_cells
    inner join proximity_by_position
        on proximity_by_position.industry_digits = region_cells.industry_digits
       and proximity_by_position.position = region_cells.position
),

-- Every cell, mapped or not, with its P(r,i) under each weight and its region's mapped sizes.
cell_terms as (
    select
        cells.*,
        {%- for weight in weights %}
        regions.mapped_{{ weight }},
        industry_terms.{{ weight }}_proximity{{ ',' if not loop.last }}
        {%- endfor %}
    from cells
    inner join regions
        on regions.year = cells.year and regions.region_level = cells.region_level
       and regions.region_code = cells.region_code and regions.industry_digits = cells.industry_digits
    left join industry_terms
        on industry_terms.year = cells.year and industry_terms.region_level = cells.region_level
       and industry_terms.region_code = cells.region_code and industry_terms.industry_digits = cells.industry_digits
       and industry_terms.industry_code = cells.industry_code
),

by_weight as (
    {%- for weight in weights %}
    select
        year, region_level, region_code, industry_digits,
        '{{ weight }}' as weight,
        industry_code,
        is_mapped,
        {{ weight }} as size,
        n_firms,
        {{ weight }}_proximity as proximity,
        -- a region with no mapped size under this weight has no shares (and no index)
        case when is_mapped and mapped_{{ weight }} > 0 then {{ weight }} / mapped_{{ weight }} end as size_share
    from cell_terms
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    year,
    region_level,
    region_code,
    cast(industry_digits as integer) as industry_digits,
    weight,
    industry_code,
    is_mapped,
    cast(size as double) as size,
    cast(n_firms as bigint) as n_firms,
    proximity,
    size_share,
    size_share * proximity as contribution
from by_weight
