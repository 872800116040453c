-- The county x 4-digit slice of region_proximity, one row per harmonised county and year with the three
-- weights side by side: the regressors of the paper's county (Tables 6, 8) and firm (Tables 7, 9, 10)
-- regressions. The index itself is computed only in region_proximity.
select
    region_code as county_code,
    year,
    max(case when weight = 'output' then proximity end) as proximity_output,
    max(case when weight = 'employment' then proximity end) as proximity_employment,
    max(case when weight = 'total_assets' then proximity end) as proximity_asset,
    max(case when weight = 'output' then n_industries end) as n_industries_output,
    max(case when weight = 'output' then excluded_share end) as excluded_share_output
from {{ ref('region_proximity') }}
where region_level = 'county' and industry_digits = 4
group by region_code, year
