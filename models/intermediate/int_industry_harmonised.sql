-- Harmonised industries for comparing 1995 (CIC 1994) with 2004 (CIC 2002), SPEC section 3: connected
-- components of the concordance graph, labelled "by the more aggregated codes" as the paper did.
{%- set merge_rounds = 4 %}

with known_codes as (
    -- every CIC code the warehouse can meet: linked to ISIC, in the concordance, or used by a firm
    select vintage, industry_code from {{ ref('int_industry_isic') }}
    union
    select '1994' as vintage, code_1994 as industry_code from {{ ref('stg_industry_concordance') }}
    union
    select '2002' as vintage, code_2002 as industry_code from {{ ref('stg_industry_concordance') }}
    union
    select industry_vintage as vintage, industry_code from {{ ref('int_census_firms_validated') }}
    where reject_reason is null
),

-- a code means different things in different vintages, so a graph node is (vintage, code)
nodes as (
    select vintage || ':' || industry_code as node, vintage, industry_code
    from known_codes
),

edges as (
    select '1994:' || code_1994 as node_a, '2002:' || code_2002 as node_b
    from {{ ref('stg_industry_concordance') }}
),

components as (
    select * from {{ connected_components('nodes', 'edges') }}
),

group_round_0 as (
    select nodes.vintage, nodes.industry_code, components.component_id as group_id
    from nodes
    inner join components on components.node = nodes.node
),

{#-
  Each round labels every group by the rule, then regroups by label. A group's label is the smallest code
  of its coarser side: the vintage with fewer distinct codes among those present (a code absent from the
  concordance is its own group and keeps its code), ties going to the later vintage (2002). Two
  components whose labels collide (1994:1312 splitting into 2002:1320+1330, while 2002:1312 merges
  1994:1313+1314, are both labelled 1312) cannot be told apart by their label, so they are MERGED into
  one harmonised industry, relabelled by the same rule; a merge can in principle cause a new collision,
  hence several rounds. The test harmonised_labels_are_stable fails the build if rounds run out.
-#}
{%- for round in range(merge_rounds) %}

side_sizes_{{ round }} as (
    select group_id, vintage, count(distinct industry_code) as n_codes
    from group_round_{{ round }}
    group by group_id, vintage
),

coarser_side_{{ round }} as (
    select group_id, vintage
    from (
        select
            group_id,
            vintage,
            row_number() over (partition by group_id order by n_codes, vintage desc) as side_rank
        from side_sizes_{{ round }}
    ) as ranked
    where side_rank = 1
),

labels_{{ round }} as (
    select members.group_id, min(members.industry_code) as label
    from group_round_{{ round }} as members
    inner join coarser_side_{{ round }} as coarser
        on coarser.group_id = members.group_id and coarser.vintage = members.vintage
    group by members.group_id
),

group_round_{{ round + 1 }} as (
    select members.vintage, members.industry_code, labels.label as group_id
    from group_round_{{ round }} as members
    inner join labels_{{ round }} as labels on labels.group_id = members.group_id
),
{%- endfor %}

harmonised as (
    select vintage, industry_code, group_id as harmonised_code
    from group_round_{{ merge_rounds }}
)

select * from harmonised
