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
        {{ parse_number('founding_year', 'integer') }} as founding_year,

        -- amounts, thousand RMB
        {{ parse_number('output') }} as output,
        {{ parse_number('sales') }} as sales,
        {{ parse_number('export_value') }} as export_value,
        {{ parse_number('value_added') }} as value_added,
        {{ parse_number('value_added_income') }} as value_added_income,
        {{ parse_number('total_assets') }} as total_assets,
        {{ parse_number('fixed_assets') }} as fixed_assets,
        {{ parse_number('total_debt') }} as total_debt,
        {{ parse_number('accounts_receivable') }} as accounts_receivable,
        {{ parse_number('accounts_payable') }} as accounts_payable,

        -- people
        {{ parse_number('employment', 'bigint') }} as employment,

        -- ownership shares of paid-in capital
        {{ parse_number('state_share') }} as state_share,
        {{ parse_number('collective_share') }} as collective_share,
        {{ parse_number('private_share') }} as private_share,
        {{ parse_number('hmt_share') }} as hmt_share,
        {{ parse_number('foreign_share') }} as foreign_share,

        -- which present values were not numbers (for the reject reason)
        {{ unparsed_columns(numbers) }} as unparsed_columns
    from source
)

select * from renamed
