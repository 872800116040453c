{#- The column list of a relation without some columns: the portable spelling of `* exclude (...)`. -#}
{% macro columns_except(relation, excluded, prefix='') -%}
  {%- if execute -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
      {%- if column.name | lower not in excluded -%}{%- do names.append(prefix ~ column.name) -%}{%- endif -%}
    {%- endfor -%}
    {{ names | join(',\n    ') }}
  {%- else -%}
    *
  {%- endif -%}
{%- endmacro %}
