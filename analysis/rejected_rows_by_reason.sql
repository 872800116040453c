-- Which input rows were rejected, and why? Per census file and reason: the number of rejected rows, their
-- share of the file's raw rows (ingest_reconciliation), and the first rejected row numbers, to open the
-- file at. No row is dropped silently: raw rows = accepted + rejected for every file.
-- Vars: none.
with rejected as (
    select source_file, census_year, reason, row_number
    from {{ ref('rejected_firms') }}
),

by_reason as (
    select
        source_file,
        census_year,
        reason,
        count(*) as n_rejected,
        min(row_number) as first_row_number
    from rejected
    group by source_file, census_year, reason
)

select
    by_reason.source_file,
    by_reason.census_year,
    by_reason.reason,
    by_reason.n_rejected,
    cast(by_reason.n_rejected as double) / reconciliation.raw_rows as share_of_file,
    by_reason.first_row_number
from by_reason
inner join {{ ref('ingest_reconciliation') }} as reconciliation
    on reconciliation.source_file = by_reason.source_file
order by by_reason.source_file, by_reason.n_rejected desc, by_reason.reason
