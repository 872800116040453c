-- How much of each census the firm panel keeps: firms matched by firm_id, by name (zero when var
-- match_on_name is false), and in all, as shares of the firms of the earlier and of the later census.

with census_years as (

    select year_from, year_to from {{ ref('int_panel_years') }}

),

census_sizes as (

    select
        y.year_from,
        y.year_to,
        count(case when f.census_year = y.year_from then 1 end) as n_firms_from,
        count(case when f.census_year = y.year_to then 1 end) as n_firms_to
    from {{ ref('int_firms_harmonised') }} as f
    cross join census_years as y
    group by y.year_from, y.year_to

),

methods as (

    select 'firm_id' as method
    union all
    select 'name' as method
    union all
    select 'all' as method

),

matched as (

    select
        m.method,
        count(case when x.match_method = m.method or (m.method = 'all' and x.match_method is not null) then 1 end) as n_matched
    from methods as m
    left join {{ ref('int_firm_matches') }} as x on true
    group by m.method

)

select
    s.year_from,
    s.year_to,
    m.method,
    s.n_firms_from,
    s.n_firms_to,
    m.n_matched,
    case when s.n_firms_from > 0 then m.n_matched * 1.0 / s.n_firms_from end as match_rate_from,
    case when s.n_firms_to > 0 then m.n_matched * 1.0 / s.n_firms_to end as match_rate_to
from census_sizes as s
cross join matched as m
