-- One row per census row that breaks a rule of the input contract, with where it came from and why.
select
    source_file,
    source_row as row_number,
    census_year,
    firm_id,
    county_code,
    industry_code,
    reject_reason as reason,
    reject_detail as detail
from {{ ref('int_census_firms_validated') }}
where reject_reason is not null
