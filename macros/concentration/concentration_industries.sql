{#- var concentration_industries, checked: 'manufacturing' or 'all'. -#}
{% macro concentration_scope() -%}
    {%- set scope = var('concentration_industries') | string | lower %}
    {%- if scope not in ['manufacturing', 'all'] %}
        {{ exceptions.raise_compiler_error("var concentration_industries must be 'manufacturing' or 'all', not '" ~ scope ~ "'") }}
    {%- endif %}
    {{- return(scope) }}
{%- endmacro %}

{#- The industries the conventional concentration indices run over under concentration_industries =
    'manufacturing': the harmonised industries of every digits level whose 2-digit harmonised industry
    (int_industry_harmonised_rollup) is a division in var manufacturing_divisions (CIC section C, 13-43).
    The division is read from the roll-up, not from a label's first two digits: a label can be
    '1994:<code>', whose prefix is '19'. A division labelled by its 1994 code ('1994:xx') has the same
    number range in the 1994 standard, so its last two characters are compared. The body of a CTE of
    (industry_digits, industry_code). -#}
{% macro concentration_industries() -%}
    {%- set divisions = var('manufacturing_divisions') %}
    select distinct levels.industry_digits, levels.industry_code
    from {{ ref('int_industry_harmonised_rollup') }} as levels
    inner join {{ ref('int_industry_harmonised_rollup') }} as divisions
        on divisions.harmonised_industry_code = levels.harmonised_industry_code
       and divisions.industry_digits = 2
    where right(divisions.industry_code, 2) between '{{ divisions[0] }}' and '{{ divisions[-1] }}'
{%- endmacro %}
