-- Which firm of the later census is which firm of the earlier one (SPEC section 3, firm panel).
-- First on firm_id (the legal-person code); then, when var match_on_name is true, the firms left over on
-- both sides by normalised name within the same harmonised county and harmonised 4-digit industry, and
-- only where that name identifies exactly one firm on each side: an ambiguous name links nobody.
{%- set match_on_name = var('match_on_name') | string | lower in ['true', '1', 'yes'] %}

with census_years as (

    select year_from, year_to from {{ ref('int_panel_years') }}

),

firms as (

    select census_year, firm_id, firm_name, harmonised_county_code, harmonised_industry_code
    from {{ ref('int_firms_harmonised') }}

),

firms_from as (

    select f.*
    from firms as f
    inner join census_years as y on f.census_year = y.year_from

),

firms_to as (

    select f.*
    from firms as f
    inner join census_years as y on f.census_year = y.year_to

),

id_matches as (

    select
        a.firm_id as firm_id_from,
        b.firm_id as firm_id_to,
        'firm_id' as match_method,
        cast(null as {{ dbt.type_string() }}) as matched_name
    from firms_from as a
    inner join firms_to as b on a.firm_id = b.firm_id

)

{%- if match_on_name %},

-- the firms left over on each side, restricted to the (county, industry) cells that have left-over firms on
-- BOTH sides: names are only compared within a cell, so no other firm can ever match (this skips the
-- costly name normalisation for most firms)
unmatched_from as (

    select a.harmonised_county_code, a.harmonised_industry_code, a.firm_id, a.firm_name
    from firms_from as a
    where not exists (select 1 from id_matches as m where m.firm_id_from = a.firm_id)

),

unmatched_to as (

    select b.harmonised_county_code, b.harmonised_industry_code, b.firm_id, b.firm_name
    from firms_to as b
    where not exists (select 1 from id_matches as m where m.firm_id_to = b.firm_id)

),

shared_cells as (

    select distinct harmonised_county_code, harmonised_industry_code from unmatched_from
    intersect
    select distinct harmonised_county_code, harmonised_industry_code from unmatched_to

),

-- a NULL name_key (a name that is only a legal form) forms its own group and never joins below (NULL = NULL
-- is not true), so it needs no filter here: filtering would evaluate the normalisation a second time
names_from as (

    select harmonised_county_code, harmonised_industry_code, name_key, min(firm_id) as firm_id, count(*) as n_firms
    from (
        select
            a.harmonised_county_code, a.harmonised_industry_code, a.firm_id,
            {{ normalise_firm_name('a.firm_name') }} as name_key
        from unmatched_from as a
        inner join shared_cells as c
            on a.harmonised_county_code = c.harmonised_county_code
            and a.harmonised_industry_code = c.harmonised_industry_code
    ) as k
    group by harmonised_county_code, harmonised_industry_code, name_key

),

names_to as (

    select harmonised_county_code, harmonised_industry_code, name_key, min(firm_id) as firm_id, count(*) as n_firms
    from (
        select
            b.harmonised_county_code, b.harmonised_industry_code, b.firm_id,
            {{ normalise_firm_name('b.firm_name') }} as name_key
        from unmatched_to as b
        inner join shared_cells as c
            on b.harmonised_county_code = c.harmonised_county_code
            and b.harmonised_industry_code = c.harmonised_industry_code
    ) as k
    group by harmonised_county_code, harmonised_industry_code, name_key

),

name_matches as (

    select
        a.firm_id as firm_id_from,
        b.firm_id as firm_id_to,
        'name' as match_method,
        a.name_key as matched_name
    from names_from as a
    inner join names_to as b
        on a.harmonised_county_code = b.harmonised_county_code
        and a.harmonised_industry_code = b.harmonised_industry_code
        and a.name_key = b.name_key
    where a.n_firms = 1 and b.n_firms = 1

)
{%- endif %}

select
    m.firm_id_from as panel_id,
    y.year_from,
    y.year_to,
    m.firm_id_from,
    m.firm_id_to,
    m.match_method,
    m.matched_name
from (
    select * from id_matches
    {%- if match_on_name %}
    union all
    select * from name_matches
    {%- endif %}
) as m
cross join census_years as y
