-- The two censuses the firm panel compares: the earliest and the latest census year present (1995 and 2004
-- in the paper). No row when only one census year is loaded: there is no panel to build.

select min(census_year) as year_from, max(census_year) as year_to
from {{ ref('int_firms_harmonised') }}
having min(census_year) < max(census_year)
