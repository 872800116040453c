{%- set numbers = {
    'founding_year': 'integer', 'output': 'double', 'sales': 'double', 'export_value': 'double',
    'value_added': 'double', 'value_added_income': 'double', 'employment': 'bigint',
    'total_assets': 'double', 'fixed_assets': 'double', 'total_debt': 'double',
    'accounts_receivable': 'double', 'accounts_payable': 'double',
    'state_share': 'double', 'collective_share': 'double', 'private_share': 'double',
    'hmt_share': 'double', 'foreign_share': 'double'} -%}

with source as (
    select * from {{ ref('land_census_firms') }}
),

-- each number cast once (the census is large), then judged below
parsed as (
    select
        *,
        {%- for column in numbers %}
        {{ try_cast(column, 'double') }} as {{ column }}__parsed{{ ',' if not loop.last }}
        {%- endfor %}
    from source
),

renamed as (
    select
        -- provenance
        source_file,
        source_row,
        census_year,
        industry_vintage,

        -- ids and codes
        nullif(trim(firm_id), '') as firm_id,
        nullif(trim(firm_name), '') as firm_name,
        nullif(trim(county_code), '') as county_code,
        nullif(trim(industry_code), '') as industry_code,
        {{ number_or_null('founding_year__parsed', 'integer') }} as founding_year,

        -- amounts, thousand RMB
        {{ number_or_null('output__parsed') }} as output,
        {{ number_or_null('sales__parsed') }} as sales,
        {{ number_or_null('export_value__parsed') }} as export_value,
        {{ number_or_null('value_added__parsed') }} as value_added,
        {{ number_or_null('value_added_income__parsed') }} as value_added_income,
        {{ number_or_null('total_assets__parsed') }} as total_assets,
        {{ number_or_null('fixed_assets__parsed') }} as fixed_assets,
        {{ number_or_null('total_debt__parsed') }} as total_debt,
        {{ number_or_null('accounts_receivable__parsed') }} as accounts_receivable,
        {{ number_or_null('accounts_payable__parsed') }} as accounts_payable,

        -- people
        {{ number_or_null('employment__parsed', 'bigint') }} as employment,

        -- ownership shares of paid-in capital
        {{ number_or_null('state_share__parsed') }} as state_share,
        {{ number_or_null('collective_share__parsed') }} as collective_share,
        {{ number_or_null('private_share__parsed') }} as private_share,
        {{ number_or_null('hmt_share__parsed') }} as hmt_share,
        {{ number_or_null('foreign_share__parsed') }} as foreign_share,

        -- which present values were not numbers (for the reject reason)
        {{ unparsed_columns(numbers) }} as unparsed_columns
    from parsed
)

select * from renamed
