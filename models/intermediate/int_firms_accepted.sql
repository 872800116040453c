-- A view: staging's typed rows joined to their verdict, so the firm table is not copied once more.
{{ config(materialized='view') }}

-- The census rows that pass every rule of the input contract: the firms the warehouse measures.
select
    {{ columns_except(ref('stg_census_firms'), ['unparsed_columns'], 'firms.') }}
from {{ ref('stg_census_firms') }} as firms
inner join {{ ref('int_census_firms_validated') }} as validated
    on validated.source_file = firms.source_file
    and validated.source_row = firms.source_row
where validated.reject_reason is null
