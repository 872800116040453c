-- One row per census row that breaks a rule of the input contract, with where it came from and why.
select
    firms.source_file,
    firms.source_row as row_number,
    firms.census_year,
    firms.firm_id,
    firms.county_code,
    firms.industry_code,
    validated.reject_reason as reason,
    validated.reject_detail as detail
from {{ ref('int_census_firms_validated') }} as validated
inner join {{ ref('stg_census_firms') }} as firms
    on firms.source_file = validated.source_file
    and firms.source_row = validated.source_row
where validated.reject_reason is not null
