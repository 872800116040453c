{#- Engine-specific SQL lives here, dispatched per adapter (SPEC section 10). -#}

{% macro try_cast(expression, type) -%}
  {{ return(adapter.dispatch('try_cast', 'cluster_finance')(expression, type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, type) -%}
  try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{% macro spark__try_cast(expression, type) -%}
  try_cast({{ expression }} as {{ type }})
{%- endmacro %}


{#- True when the whole text matches the regular expression. -#}
{% macro matches_pattern(expression, pattern) -%}
  {{ return(adapter.dispatch('matches_pattern', 'cluster_finance')(expression, pattern)) }}
{%- endmacro %}

{% macro default__matches_pattern(expression, pattern) -%}
  regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_pattern(expression, pattern) -%}
  ({{ expression }} rlike '^{{ pattern }}$')
{%- endmacro %}


{#- A finite number: not NaN, not infinite. -#}
{% macro is_finite(expression) -%}
  {{ return(adapter.dispatch('is_finite', 'cluster_finance')(expression)) }}
{%- endmacro %}

{% macro default__is_finite(expression) -%}
  isfinite({{ expression }})
{%- endmacro %}

{% macro spark__is_finite(expression) -%}
  (not isnan({{ expression }}) and abs({{ expression }}) != double('infinity'))
{%- endmacro %}
