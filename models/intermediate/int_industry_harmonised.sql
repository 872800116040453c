-- Harmonised industries for comparing 1995 (CIC 1994) with 2004 (CIC 2002), SPEC section 3, at every
-- industry level: one row per (digits, vintage, code of that many digits) with its harmonised industry.
--
-- At each level the harmonised industries are the connected components of the concordance with both
-- sides cut to that many digits. A graph node is (vintage, code): the same string can mean different
-- industries in the two vintages (the real revision renumbered 1994's divisions 40-43 as 2002's 39-42),
-- so 1994:4111 and 2002:4111 are different nodes and only the concordance can join them. A component
-- is labelled by its smallest code of the latest vintage; one with no such code (a 1994 code the
-- concordance leaves out) keeps its own code behind its vintage, '1994:4111', which no latest-vintage
-- code can equal. Two components are never merged because of their labels.
--
-- Cutting never splits a component (an edge between two 4-digit codes is also an edge between their
-- 3-digit groups), so every 4-digit harmonised industry lies in exactly one 3-digit and one 2-digit
-- harmonised industry: int_industry_harmonised_rollup lists that, and a test checks it.
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

latest_vintage as (
    select max(vintage) as vintage from known_codes
),

{%- for digits in var('industry_digits') %}

nodes_{{ digits }} as (
    select distinct
        vintage || ':' || substr(industry_code, 1, {{ digits }}) as node,
        vintage,
        substr(industry_code, 1, {{ digits }}) as industry_code
    from known_codes
),

edges_{{ digits }} as (
    select distinct
        '1994:' || substr(code_1994, 1, {{ digits }}) as node_a,
        '2002:' || substr(code_2002, 1, {{ digits }}) as node_b
    from {{ ref('stg_industry_concordance') }}
),

members_{{ digits }} as (
    select nodes.vintage, nodes.industry_code, components.component_id
    from nodes_{{ digits }} as nodes
    inner join {{ connected_components('nodes_' ~ digits, 'edges_' ~ digits) }} as components
        on components.node = nodes.node
),

labels_{{ digits }} as (
    select
        members.component_id,
        coalesce(
            min(case when members.vintage = latest_vintage.vintage then members.industry_code end),
            min(members.vintage || ':' || members.industry_code)
        ) as harmonised_code
    from members_{{ digits }} as members
    cross join latest_vintage
    group by members.component_id
),

harmonised_{{ digits }} as (
    select
        {{ digits }} as industry_digits,
        members.vintage,
        members.industry_code,
        labels.harmonised_code
    from members_{{ digits }} as members
    inner join labels_{{ digits }} as labels on labels.component_id = members.component_id
),
{%- endfor %}

harmonised as (
    {%- for digits in var('industry_digits') %}
    select industry_digits, vintage, industry_code, harmonised_code from harmonised_{{ digits }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    cast(industry_digits as integer) as industry_digits,
    vintage,
    industry_code,
    harmonised_code
from harmonised
