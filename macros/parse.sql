{#- Input value -> number for the staging models. A landed value may be text (CSV) or DOUBLE (Parquet,
    Stata). A value that is present but not a finite number becomes NULL and is named by the
    `*_unparsed` helpers, so the validation model can reject the row with a reason. -#}

{#- The parsed number: `parsed` is try_cast(raw as double) computed once upstream. -#}
{% macro number_or_null(parsed, type='double') -%}
  {%- if type == 'double' -%}
  case when {{ is_finite(parsed) }} then {{ parsed }} end
  {%- else -%}
  {#- Integers may be written as 12 or 12.0; 12.5 is not an integer. -#}
  case when {{ is_finite(parsed) }} and {{ parsed }} = round({{ parsed }}) then cast({{ parsed }} as {{ type }}) end
  {%- endif -%}
{%- endmacro %}

{#- One-step version for small reference tables (casts inline). -#}
{% macro parse_number(column, type='double') -%}
  {{ number_or_null(try_cast(column, 'double'), type) }}
{%- endmacro %}

{#- Comma-separated names of the columns whose value was present but did not parse ('' when all did).
    Reads the raw column and its parsed DOUBLE, named <column>__parsed. -#}
{% macro unparsed_columns(columns_and_types) -%}
  concat_ws(','
  {%- for column, type in columns_and_types.items() %},
    case when {{ column }} is not null and ({{ number_or_null(column ~ '__parsed', type) }}) is null
         then '{{ column }}' end
  {%- endfor %})
{%- endmacro %}
