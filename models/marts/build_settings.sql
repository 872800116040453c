-- The method settings (dbt vars) this warehouse was built with, one row each, so that the report states
-- the choices its numbers rest on even when they were passed with --vars rather than read from
-- dbt_project.yml. Lists are written comma-separated.
{%- set names = ['rca_threshold', 'single_industry_proximity', 'small_firm_output', 'percentile_method',
                 'firm_age_range', 'concentration_industries', 'manufacturing_divisions',
                 'ellison_glaeser_size', 'cap_ar_sales', 'cap_debt_asset', 'cap_ap_debt', 'cap_fixed_asset',
                 'cap_export_sales', 'match_on_name'] %}
{%- for name in names %}
{%- set value = var(name) %}
{%- set text = value | join(',') if (value is iterable and value is not string) else value | string %}
select
    '{{ name }}' as setting,
    '{{ text | lower | replace("'", "''") }}' as value
{% if not loop.last %}union all{% endif %}
{%- endfor %}
