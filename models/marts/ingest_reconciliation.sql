-- Per census file: raw rows read, accepted, rejected. raw_rows = accepted_rows + rejected_rows is tested.
with raw as (
    select source_file, census_year, count(*) as raw_rows
    from {{ ref('land_census_firms') }}
    group by source_file, census_year
),

outcome as (
    select
        source_file,
        sum(case when reject_reason is null then 1 else 0 end) as accepted_rows,
        sum(case when reject_reason is not null then 1 else 0 end) as rejected_rows
    from {{ ref('int_census_firms_validated') }}
    group by source_file
)

select
    raw.source_file,
    raw.census_year,
    raw.raw_rows,
    coalesce(outcome.accepted_rows, 0) as accepted_rows,
    coalesce(outcome.rejected_rows, 0) as rejected_rows
from raw
left join outcome on outcome.source_file = raw.source_file
