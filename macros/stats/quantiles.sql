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

{#- The percent-th percentile as Stata's summarize, detail / _pctile / collapse (p#) compute it, from the
    rank of each value within its group (a window row_number, ascending, nulls last) and the group's count
    of values: with P = n percent / 100 and k = floor(P), x_(k+1) when P is not whole, the mean of x_(k)
    and x_(k+1) when it is (Hyndman-Fan's definition 2, numpy's "averaged_inverted_cdf"). An aggregate over
    the group; standard SQL, so no dispatch. `percent` is a whole number, so "P is whole" is exact. -#}
{% macro percentile_stata(expression, rank, count, percent) -%}
  case when mod(max({{ count }}) * {{ percent }}, 100) = 0
       then (max(case when {{ rank }} * 100 = {{ count }} * {{ percent }} then {{ expression }} end)
             + max(case when ({{ rank }} - 1) * 100 = {{ count }} * {{ percent }} then {{ expression }} end)) / 2
       else max(case when ({{ rank }} - 1) * 100 < {{ count }} * {{ percent }}
                      and {{ count }} * {{ percent }} < {{ rank }} * 100 then {{ expression }} end)
  end
{%- endmacro %}
