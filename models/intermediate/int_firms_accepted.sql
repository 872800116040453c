-- A view: a filter of int_census_firms_validated, so the firm table is not copied once more.
{{ config(materialized='view') }}

-- The census rows that pass every rule of the input contract: the firms the warehouse measures.
select
    {{ columns_except(ref('int_census_firms_validated'), ['reject_reason', 'reject_detail']) }}
from {{ ref('int_census_firms_validated') }}
where reject_reason is null
