{#- Text -> number for the staging models. A value that is present but not a finite number becomes NULL
    here and is named by `unparsed_columns`, so the validation model can reject the row with a reason. -#}

{% macro parse_number(column, type='double') -%}
  {%- if type == 'double' -%}
  case when {{ is_finite(try_cast(column, 'double')) }} then {{ try_cast(column, 'double') }} end
  {%- else -%}
  {#- Integers may be written as 12 or 12.0; 12.5 is not an integer. -#}
  case when {{ is_finite(try_cast(column, 'double')) }}
        and {{ try_cast(column, 'double') }} = round({{ try_cast(column, 'double') }})
       then cast({{ try_cast(column, 'double') }} as {{ type }}) end
  {%- endif -%}
{%- endmacro %}

{#- Comma-separated names of the columns whose text did not parse (empty string when all did). -#}
{% macro unparsed_columns(columns_and_types) -%}
  concat_ws(','
  {%- for column, type in columns_and_types.items() %},
    case when {{ column }} is not null and ({{ parse_number(column, type) }}) is null then '{{ column }}' end
  {%- endfor %})
{%- endmacro %}
