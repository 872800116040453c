-- Counties made comparable across census years (SPEC section 3, issue 5): the connected components of the
-- county_crosswalk graph, whose nodes are (year, county code), so that counties that merged or split
-- between censuses form one unit. A unit is labelled by the smallest code of the latest year in it, so an
-- unchanged county keeps its own code and a merged county takes its successor's code.
with crosswalk as (
    select year_from, code_from, year_to, code_to
    from {{ ref('stg_county_crosswalk') }}
    where year_from is not null and code_from is not null and year_to is not null and code_to is not null
),

-- Every (year, code) the warehouse may be asked about.
seen as (
    select census_year as year, county_code from {{ ref('int_census_firms_validated') }} where reject_reason is null
    union
    select year, county_code from {{ ref('stg_regions') }} where year is not null and county_code is not null
    union
    select year_from, code_from from crosswalk
    union
    select year_to, code_to from crosswalk
),

year_pairs as (
    select distinct year_from, year_to from crosswalk
),

-- "A code absent from the crosswalk maps to itself" read as an identity link: a code with no link out of
-- year_from continues under the same code in year_to. Without it, a county the crosswalk leaves out
-- (unchanged) would stay apart from its own namesake when that namesake absorbed territory in year_to,
-- and two units would share a label.
implicit_identity as (
    select pairs.year_from, seen.county_code as code_from, pairs.year_to, seen.county_code as code_to
    from seen
    inner join year_pairs as pairs on seen.year = pairs.year_from
    where not exists (
        select 1 from crosswalk
        where crosswalk.year_from = pairs.year_from and crosswalk.year_to = pairs.year_to
          and crosswalk.code_from = seen.county_code
    )
),

-- Taken as undirected (connected_components follows both ways): a merge and a split both join their
-- counties into one unit.
links as (
    select year_from, code_from, year_to, code_to from crosswalk
    union
    select year_from, code_from, year_to, code_to from implicit_identity
),

nodes as (
    select year, county_code from seen
    union
    select year_to, code_to from links
),

-- Text node keys for connected_components; the component id only groups a unit's members, the label is
-- chosen below.
node_keys as (
    select cast(year as {{ dbt.type_string() }}) || ':' || county_code as node, year, county_code
    from nodes
),

edge_keys as (
    select
        cast(year_from as {{ dbt.type_string() }}) || ':' || code_from as node_a,
        cast(year_to as {{ dbt.type_string() }}) || ':' || code_to as node_b
    from links
),

components as (
    select node_keys.year, node_keys.county_code, components.component_id
    from {{ connected_components('node_keys', 'edge_keys') }} as components
    inner join node_keys on node_keys.node = components.node
),

latest_year as (
    select component_id, max(year) as year
    from components
    group by component_id
),

labels as (
    select components.component_id, min(components.county_code) as harmonised_county_code
    from components
    inner join latest_year
        on latest_year.component_id = components.component_id and latest_year.year = components.year
    group by components.component_id
)

select
    seen.year,
    seen.county_code,
    labels.harmonised_county_code
from seen
inner join components on components.year = seen.year and components.county_code = seen.county_code
inner join labels on labels.component_id = components.component_id
