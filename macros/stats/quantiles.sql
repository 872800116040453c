{#- Quantiles and other order statistics differ between engines (SPEC section 10), so they live here. -#}

{#- The q-th quantile of expression within the group, interpolating linearly between the two nearest order
    statistics at position (n - 1) q: numpy's default ("linear") method, as SPEC section 3 asks for the
    minimum-capital percentiles. -#}
{% macro percentile_cont(expression, fraction) -%}
  {{ return(adapter.dispatch('percentile_cont', 'cluster_finance')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
  quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- Spark's exact `percentile` interpolates the same way ((n - 1) q); percentile_approx would not. -#}
{% macro spark__percentile_cont(expression, fraction) -%}
  percentile({{ expression }}, {{ fraction }})
{%- endmacro %}
