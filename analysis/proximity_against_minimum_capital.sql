-- Do more clustered counties have lower entry barriers? Counties of a year split into quintiles of
-- county proximity (output weight, the paper's Table 6 regressor), with the mean minimum, 5th and 10th
-- percentile of firm total assets (million RMB) and the mean number of (small) firms in each, and the
-- correlation of proximity with log p10_asset over all the year's counties. The paper finds that the
-- minimum capital falls with proximity.
-- Vars: year (default 2004), n_groups (default 5).
with county_years as (
    select
        county_proximity.county_code,
        county_proximity.proximity_output as proximity,
        county_outcomes.min_asset,
        county_outcomes.p5_asset,
        county_outcomes.p10_asset,
        county_outcomes.n_firms,
        county_outcomes.n_small_firms
    from {{ ref('county_proximity') }} as county_proximity
    inner join {{ ref('county_outcomes') }} as county_outcomes
        on county_outcomes.county_code = county_proximity.county_code
       and county_outcomes.year = county_proximity.year
    where county_proximity.year = {{ var("year", 2004) }}
      and county_proximity.proximity_output is not null
),

grouped as (
    select
        county_years.*,
        ntile({{ var("n_groups", 5) }}) over (order by proximity, county_code) as proximity_group
    from county_years
),

overall as (
    select corr(proximity, ln(p10_asset)) as corr_proximity_log_p10
    from county_years
    where p10_asset > 0
)

select
    grouped.proximity_group,
    count(*) as n_counties,
    min(grouped.proximity) as proximity_low,
    max(grouped.proximity) as proximity_high,
    avg(grouped.proximity) as mean_proximity,
    avg(grouped.min_asset) as mean_min_asset,
    avg(grouped.p5_asset) as mean_p5_asset,
    avg(grouped.p10_asset) as mean_p10_asset,
    avg(grouped.n_firms) as mean_n_firms,
    avg(grouped.n_small_firms) as mean_n_small_firms,
    max(overall.corr_proximity_log_p10) as corr_proximity_log_p10
from grouped
cross join overall
group by grouped.proximity_group
order by grouped.proximity_group
