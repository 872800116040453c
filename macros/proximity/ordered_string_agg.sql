{#-
  The values of a group joined into one text, in sorted order: a canonical signature of a set (used to find
  industries with identical product sets). Dispatched: the ordered aggregate is spelt differently by engine.
-#}
{% macro ordered_string_agg(expression, separator=',') -%}
  {{ return(adapter.dispatch('ordered_string_agg', 'cluster_finance')(expression, separator)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expression, separator) -%}
  string_agg({{ expression }}, '{{ separator }}' order by {{ expression }})
{%- endmacro %}

{% macro spark__ordered_string_agg(expression, separator) -%}
  array_join(array_sort(collect_list({{ expression }})), '{{ separator }}')
{%- endmacro %}
